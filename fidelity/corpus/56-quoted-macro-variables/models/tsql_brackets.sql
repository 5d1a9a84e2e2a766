MODEL (name mart.tsql_brackets, kind FULL, dialect tsql);
SELECT * FROM [@src].[Ledger] AS l JOIN "@{tenant}_dim"."Accounts" AS a ON l.id = a.id
