; A query call inside a loop: the names the models give database reads, counts and statements
; (Motor/PyMongo, DB-API, Django), and the SQLAlchemy session's and query's methods (Flask-SQLAlchemy
; `Model.query.filter_by`, `session.query(...)`). check() keeps the calls that resolve to a read (or,
; where nothing resolves, have a read's shape) and depend on the loop variable.
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list)) @match
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-query type:sqlalchemy.orm.Session type:sqlalchemy.orm.Query")
 (#is? inside-loop match))

; A write of one row inside a loop, where the library has a bulk form (the models' `bulkTwin`:
; `insert_one` → `insert_many`, Django `create` → `bulk_create`); check() keeps those.
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list)) @match
 (#model? @method "property:bulkTwin")
 (#is? inside-loop match)
 (#set! form "write"))
