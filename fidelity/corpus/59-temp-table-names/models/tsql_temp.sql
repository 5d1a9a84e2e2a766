MODEL (name sales.tsql_temp, kind FULL, dialect tsql);
SELECT * FROM #tmp AS x JOIN ##global_tmp AS g ON 1 = 1, dbo.#staged
