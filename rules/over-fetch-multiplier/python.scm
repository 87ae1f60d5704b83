; cursor.limit(limit * 2), cursor.to_list(length * 2), result.fetchmany(n * 3): the calls the models
; say take a limit (rule.ts keeps those whose first argument is that limit)
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list . (binary_operator) @match))
 (#model? @method "effect:limit"))
; query.take(n * 3), df.head(n * 2): generic names for "the first n" (judgement, not a library's)
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list . (binary_operator) @match))
 (#any-of? @method "take" "head"))

; search(limit=page_size * 3), to_list(length=n * 2): the names a page size goes by (rule.ts checks the
; library-specific ones, `length=`, `size=`, `n_results=`, against the models' `bound.keyword`)
((call
   function: (_) @callee
   arguments: (argument_list
     (keyword_argument name: (identifier) @kw value: (binary_operator) @match)))
 (#any-of? @kw "limit" "page_size" "per_page" "size" "top_k" "max_results" "length" "n_results"))

; cursor.execute(sql, (q, limit * 2)), await conn.fetch(sql, q, limit * 2): a SQL parameter (rule.ts:
; a limit-like operand, as in Go); the methods the models say run SQL
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list (tuple (binary_operator) @match)))
 (#model? @method "effect:db-query effect:db-read-many effect:db-read-one")
 (#set! place "sql-parameter"))
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list (list (binary_operator) @match)))
 (#model? @method "effect:db-query effect:db-read-many effect:db-read-one")
 (#set! place "sql-parameter"))
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list . (_) (binary_operator) @match))
 (#model? @method "effect:db-query effect:db-read-many effect:db-read-one")
 (#set! place "sql-parameter"))
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list (dictionary (pair value: (binary_operator) @match))))
 (#model? @method "effect:db-query effect:db-read-many effect:db-read-one")
 (#set! place "sql-parameter"))
