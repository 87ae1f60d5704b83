;; Page-size names (rule.ts PAGE_NAME): limit, page_size, per_page, …

; r.URL.Query().Get("limit"), r.FormValue("limit"), c.Query("limit"), c.DefaultQuery("limit", "20"),
; c.QueryParam("limit") (the names are the models' request parameters; rule.ts resolves the call)
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list . (interpreted_string_literal (interpreted_string_literal_content) @key))) @match
 (#model? @method "effect:request-param")
 (#any-of? @key "limit" "take" "page_size" "pageSize" "pagesize" "per_page" "perPage" "perpage" "page_limit" "pageLimit" "max_results" "maxResults" "items_per_page" "itemsPerPage" "results_per_page" "resultsPerPage")
 (#set! form "get"))

; A gRPC/Connect request message's page size: req.PageSize, req.GetPageSize() (rule.ts: the
; parameter of a handler)
((selector_expression operand: (identifier) @recv field: (field_identifier) @name) @match
 (#any-of? @name "Limit" "Take" "PageSize" "PerPage" "PageLimit" "MaxResults" "GetLimit" "GetTake" "GetPageSize" "GetPerPage" "GetPageLimit" "GetMaxResults")
 (#set! form "message-field"))

; A struct field bound from the request: `Limit int `form:"limit" binding:"min=1"`` (the tags the
; models name: gin's form and binding, echo's query, validator's validate)
((field_declaration name: (field_identifier) @name tag: (raw_string_literal) @tag) @match
 (#set! gate "form query binding validate")
 (#set! form "tag"))
