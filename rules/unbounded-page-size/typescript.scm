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

; Exports for the workspace (rule.ts joins them, as Python's models and Depends): a DTO property
; (`@IsInt() @Min(1) limit: number`, class-validator by the models), a route that takes such a class
; from its request (`@Query() q: ListQuery`, `@Body()`, GraphQL `@Args()`), and a class's base (a
; request class that extends the one that declares the field: `extends PaginationArgs`,
; `extends PartialType(ListQuery)`). A class no route takes (a command built from the DTO) is not
; request input.
([(class_declaration
    name: (type_identifier) @class
    body: (class_body (public_field_definition name: (property_identifier) @name) @field))
  (abstract_class_declaration
    name: (type_identifier) @class
    body: (class_body (public_field_definition name: (property_identifier) @name) @field))]
 (#any-of? @name "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! export "page-size-field"))
([(required_parameter
    decorator: (decorator (call_expression function: [(identifier) @dec (member_expression property: (property_identifier) @dec)]))
    type: (type_annotation (type_identifier) @type))
  (optional_parameter
    decorator: (decorator (call_expression function: [(identifier) @dec (member_expression property: (property_identifier) @dec)]))
    type: (type_annotation (type_identifier) @type))] @param
 (#model? @dec "effect:request-param")
 (#set! export "page-size-dependency"))
([(class_declaration
    name: (type_identifier) @class
    (class_heritage (extends_clause value: (_) @base)))
  (abstract_class_declaration
    name: (type_identifier) @class
    (class_heritage (extends_clause value: (_) @base)))] @declaration
 (#set! gate "extends")
 (#set! export "page-size-base"))

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
