; db.users.find(q).to_list(None), cursor.to_list(length=None), User.find_all().to_list(): what
; materialises a cursor (rule.ts keeps those with an optional cap, by the models' `bound`).
((call
   function: (attribute object: (_) @recv attribute: (identifier) @method)
   arguments: (argument_list) @args) @match
 (#model? @method "effect:materialize"))

; repo.list_orders(user_id, limit=None): an explicit "no limit" passed to a data-access call
((call
   function: [
     (attribute attribute: (identifier) @method)
     (identifier) @method
   ]
   arguments: (argument_list
     (keyword_argument name: (identifier) @kw value: (none)) @match))
 (#eq? @kw "limit"))

; Fact: `cursor.limit(n)` bounds the cursor held by `cursor`.
((call
   function: (attribute object: (identifier) @key attribute: (identifier) @method))
 (#model? @method "effect:limit")
 (#set! fact "unbounded-fetch.limit-call"))

; Fact: what `cursor = db.users.find(q).sort(...)` holds (bounded or not).
((assignment
   left: (identifier) @key
   right: (call function: (attribute attribute: (identifier) @method)) @value)
 (#model? @method "effect:db-read-many effect:limit type:pymongo.cursor.Cursor")
 (#set! fact "unbounded-fetch.assign"))
