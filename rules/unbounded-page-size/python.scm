;; Page-size names (rule.ts PAGE_NAME): limit, take, page_size, per_page, page_limit, max_results, …

; A handler's parameter named like a page size, with a default: `limit: int = Query(50, ge=1)`,
; `per_page: int = 20` (rule.ts: a FastAPI handler, and what bounds it)
((typed_default_parameter name: (identifier) @name value: (_) @value) @match
 (#any-of? @name "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "param"))
((default_parameter name: (identifier) @name value: (_) @value) @match
 (#any-of? @name "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "param"))

; request.args.get("limit", type=int), request.GET.get("page_size"), request.query_params["limit"]
; (rule.ts: the receiver is what the models call a request's parameters)
((call
   function: (attribute object: (_) @recv attribute: (identifier) @method)
   arguments: (argument_list . (string (string_content) @key))) @match
 (#eq? @method "get")
 (#any-of? @key "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "get"))
((subscript value: (attribute) @recv subscript: (string (string_content) @key)) @match
 (#any-of? @key "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "get"))

; class attributes: a DRF pagination class's `page_size_query_param = "page_size"`
((class_definition
   body: (block (expression_statement (assignment left: (identifier) @name right: (_) @value) @match)))
 (#model? @name "effect:request-param")
 (#set! form "attribute"))

; Exports for the workspace: a model's field named like a page size (`per_page: int = 50`), and a
; route that builds such a model from its query (`q: PaginationQuery = Depends()`): rule.ts joins them.
((class_definition
   name: (identifier) @class
   body: (block (expression_statement (assignment left: (identifier) @name type: (_) @type) @field)))
 (#any-of? @name "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! export "page-size-field"))
((typed_default_parameter type: (_) @type value: (call function: (identifier) @dep) @value) @param
 (#eq? @dep "Depends")
 (#set! export "page-size-dependency"))
; A model's base (`class RecipeQuery(PaginationQuery)`): a route that takes the subclass takes the
; base's fields too.
((class_definition
   name: (identifier) @class
   superclasses: (argument_list . (identifier) @base)) @declaration
 (#set! export "page-size-base"))
