; A query call inside a loop: database/sql and sqlx `QueryRow/Query(Context)`, sqlx
; `Get/Select(Context)`, gorm `First/Find/Take/Last`, mongo-go-driver `FindOne/Find/CountDocuments`.
; check() keeps the calls that are reads and depend on the loop variable.
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list)) @match
 (#any-of? @method "QueryRow" "QueryRowContext" "Query" "QueryContext" "Queryx" "QueryxContext" "QueryRowx" "QueryRowxContext" "Get" "GetContext" "Select" "SelectContext" "First" "Find" "Take" "Last" "FindOne" "CountDocuments" "Related")
 (#is? inside-loop match))
