MODEL (name s.a, kind FULL);

JINJA_STATEMENT_BEGIN;
{% set unused = 1 %}
JINJA_END;

JINJA_QUERY_BEGIN;
{% for r in var('regions') %}
SELECT '{{ r }}' AS region, id FROM raw.orders_{{ r }}
{% if not loop.last %}UNION ALL{% endif %}
{% endfor %}
JINJA_END;
