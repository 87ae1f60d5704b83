; Queries with a literal filter document: db.users.find({"email": e}), db["users"].find_one({...}),
; users_collection.update_one({...}, ...). rule.ts resolves the collection from the receiver.
((call
   function: (attribute object: (_) @receiver attribute: (identifier) @method)
   arguments: (argument_list . (dictionary) @filter)) @call
 (#any-of? @method "find" "find_one" "find_one_and_update" "find_one_and_delete" "find_one_and_replace" "count_documents" "update_one" "update_many" "delete_one" "delete_many")
 (#set! export "mongo-query"))

; Index declarations: db.users.create_index("email"), create_index([("a", 1), ("b", -1)]), create_indexes([IndexModel(...)])
((call
   function: (attribute object: (_) @receiver attribute: (identifier) @method)
   arguments: (argument_list . (_) @keys)) @call
 (#any-of? @method "create_index" "create_indexes")
 (#set! export "mongo-index"))

; Collection aliases: users_collection = db.users / db["users"] / db.get_collection("users"), self.collection = …
((assignment
   left: [(identifier) @name (attribute attribute: (identifier) @name)]
   right: [(attribute) (subscript) (call)] @value) @call
 (#match? @name "coll")
 (#set! export "mongo-alias"))

; The workspace talks to MongoDB through Motor or PyMongo.
((import_from_statement module_name: (dotted_name) @module) @call
 (#match? @module "^(motor|pymongo)")
 (#set! export "mongo-driver"))
((import_statement name: (dotted_name) @module) @call
 (#match? @module "^(motor|pymongo)")
 (#set! export "mongo-driver"))

; Evidence for the readiness model: the code declares its indexes.
((call
   function: (attribute attribute: (identifier) @method)) @evidence
 (#any-of? @method "create_index" "create_indexes")
 (#set! evidence "MongoDB indexes declared"))
