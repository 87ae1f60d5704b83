; ---- facts --------------------------------------------------------------------------------

; The pools pool-unconfigured reports too: it leaves the ones opened per request to this rule.
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @key
 (#any-of? @pkg "sql" "sqlx" "gorm" "pgxpool")
 (#any-of? @fn "Open" "OpenDB" "Connect" "ConnectContext" "MustConnect" "MustOpen" "New" "NewWithConfig" "ConnectConfig")
 (#set! fact per-request-client))

; ---- findings -----------------------------------------------------------------------------

; sql.Open, sqlx.Connect, gorm.Open, pgxpool.New, pgx.Connect, redis.NewClient, mongo.Connect
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @match
 (#any-of? @pkg "sql" "sqlx" "gorm" "pgxpool" "pgx" "redis" "goredis" "mongo")
 (#any-of? @fn
   "Open" "OpenDB" "Connect" "ConnectContext" "MustConnect" "MustOpen" "New" "NewWithConfig" "ConnectConfig"
   "NewClient" "NewClusterClient" "NewFailoverClient" "NewUniversalClient" "NewRing"))

; &http.Transport{...}: a Transport is a connection pool (an http.Client on its own is not)
((composite_literal
   type: (qualified_type package: (package_identifier) @pkg name: (type_identifier) @type)) @match
 (#eq? @type "Transport")
 (#eq? @pkg "http"))

; http.DefaultTransport.(*http.Transport).Clone()
((call_expression
   function: (selector_expression operand: (_) @receiver field: (field_identifier) @fn)
   arguments: (argument_list)) @match
 (#eq? @fn "Clone"))
