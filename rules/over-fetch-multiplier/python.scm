; cursor.limit(limit * 2), cursor.to_list(length * 2), query.take(n * 3)
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list . (binary_operator) @match))
 (#any-of? @method "limit" "to_list" "take" "fetchmany" "head"))

; search(limit=page_size * 3), to_list(length=n * 2)
((call
   function: (_) @callee
   arguments: (argument_list
     (keyword_argument name: (identifier) @kw value: (binary_operator) @match)))
 (#any-of? @kw "limit" "page_size" "per_page" "size" "top_k" "max_results" "length" "n_results"))
