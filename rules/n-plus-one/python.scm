; A query call inside a loop: Motor/PyMongo `find_one`/`find`/`count_documents`, SQLAlchemy
; `session.get/execute/scalars/scalar/query`, Django `Model.objects.get/filter`, Flask-SQLAlchemy
; `Model.query.get/filter/filter_by`, DB-API `cursor.execute`. check() keeps the calls that are
; reads and depend on the loop variable.
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list)) @match
 (#any-of? @method "find_one" "find" "count_documents" "get" "filter" "filter_by" "execute" "scalars" "scalar" "query")
 (#is? inside-loop match))
