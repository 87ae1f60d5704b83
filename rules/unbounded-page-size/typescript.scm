;; Page-size names (rule.ts PAGE_NAME): limit, take, pageSize, perPage, pageLimit, maxResults, …

; A request schema's field: `pageSize: z.coerce.number().int().positive()` (rule.ts: zod, by the models)
((pair key: (property_identifier) @name value: (call_expression) @value) @match
 (#any-of? @name "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "schema-field"))

; req.query.limit, ctx.query.pageSize, req.query["limit"] (rule.ts: the object is what the models
; call a request's parameters)
((member_expression object: (member_expression) @recv property: (property_identifier) @name) @match
 (#any-of? @name "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "member"))
((subscript_expression object: (member_expression) @recv index: (string (string_fragment) @key)) @match
 (#any-of? @key "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "member"))

; const { limit = 20 } = req.query; const { take } = req.query; const { limit: raw } = req.query
((variable_declarator name: (object_pattern (shorthand_property_identifier_pattern) @prop) value: (_) @recv) @match
 (#any-of? @prop "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "destructure"))
((variable_declarator name: (object_pattern (object_assignment_pattern left: (shorthand_property_identifier_pattern) @prop)) value: (_) @recv) @match
 (#any-of? @prop "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "destructure"))
((variable_declarator name: (object_pattern (pair_pattern key: (property_identifier) @prop)) value: (_) @recv) @match
 (#any-of? @prop "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "destructure"))

; A DTO property: `@IsInt() @Min(1) limit: number` (rule.ts: class-validator, by the models)
((public_field_definition name: (property_identifier) @name) @match
 (#any-of? @name "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "dto-field"))

; A controller's query parameter: `@Query('take') take = '20'` (rule.ts: NestJS's Query, by the models)
((required_parameter
   decorator: (decorator (call_expression arguments: (arguments . (string (string_fragment) @key))) @dec)
   pattern: (identifier) @name) @match
 (#any-of? @key "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "param-decorator"))
((optional_parameter
   decorator: (decorator (call_expression arguments: (arguments . (string (string_fragment) @key))) @dec)
   pattern: (identifier) @name) @match
 (#any-of? @key "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "param-decorator"))
