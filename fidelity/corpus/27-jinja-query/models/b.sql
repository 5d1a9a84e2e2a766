MODEL (name s.b, kind FULL);
JINJA_QUERY_BEGIN;
SELECT * FROM {{ 's.a' }} {% if false %} JOIN raw.never {% endif %}
JINJA_END;
