; The names are the models' document-store calls (rule.ts keeps those whose model row takes a
; filter document as the first argument, or declares an index); receivers and collections are
; read from the code with the models' collection lookups and conventions.

; Queries with a literal filter document: db.users.find({"email": e}), db["users"].find_one({...}),
; users_collection.update_one({...}, ...).
((call
   function: (attribute object: (_) @receiver attribute: (identifier) @method)
   arguments: (argument_list . (dictionary) @filter)) @call
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many")
 (#set! export "mongo-query"))

; Generic repositories (repositories.ts): a method queries a field of its class
; (`self.collection.find_one(query)`): the field's binding by `__init__`, and a wrapper when the
; filter is the method's parameter; and what a subclass hands its base (`super().__init__(db.users)`).
((call
   function: (attribute
     object: (attribute object: (identifier) @self attribute: (identifier) @field)
     attribute: (identifier) @method)
   arguments: (argument_list . (_) @filter)) @call
 (#eq? @self "self")
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many")
 (#set! export "repo-wrapper"))
((call
   function: (attribute object: (call function: (identifier) @super) attribute: (identifier) @init)
   arguments: (argument_list . (_))) @call
 (#eq? @super "super")
 (#eq? @init "__init__")
 (#set! export "repo-super"))

; Queries with a comparison on the document class's field: User.find_one(User.email == email) (Beanie).
((call
   function: (attribute object: (identifier) @receiver attribute: (identifier) @method)
   arguments: (argument_list . (comparison_operator) @filter)) @call
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many")
 (#set! export "mongo-query"))

; Queries with keyword filters on a document class's query manager (the models' documentClasses
; queryManager: mongoengine's User.objects(email=e), User.objects.get(email=e), .filter(email=e)).
((call
   function: (attribute object: (identifier) @receiver attribute: (identifier) @manager)
   arguments: (argument_list)) @call
 (#any-of? @manager @QUERY_MANAGERS@)
 (#set! export "odm-keyword-query"))
((call
   function: (attribute
     object: (attribute object: (identifier) @receiver attribute: (identifier) @manager)
     attribute: (identifier) @method)
   arguments: (argument_list)) @call
 (#any-of? @manager @QUERY_MANAGERS@)
 (#set! export "odm-keyword-query"))

; Document classes that are collections (the models' documentClasses: Beanie's Document): their
; collection, and the indexes their fields and settings declare (rule.ts).
((class_definition name: (identifier) @model superclasses: (argument_list)) @call
 (#set! gate "Document")
 (#set! export "odm-document"))

; Index declarations: db.users.create_index("email"), create_index([("a", 1), ("b", -1)]), create_indexes([IndexModel(...)])
((call
   function: (attribute object: (_) @receiver attribute: (identifier) @method)
   arguments: (argument_list . (_) @keys)) @call
 (#model? @method "effect:index-declare")
 (#set! export "mongo-index"))

; Collection aliases: users_collection = db.users / db["users"] / db.get_collection("users"), self.collection = …
; (the word is what the models' collection conventions match; rule.ts checks the name against them)
((assignment
   left: [(identifier) @name (attribute attribute: (identifier) @name)]
   right: [(attribute) (subscript) (call)] @value) @call
 (#match? @name "[Cc][Oo][Ll][Ll]")
 (#set! export "mongo-alias"))

; The workspace talks to MongoDB: an import of a library the models give a MongoDB client (rule.ts).
((import_from_statement module_name: (dotted_name) @module) @call
 (#set! export "mongo-driver"))
((import_statement name: (dotted_name) @module) @call
 (#set! export "mongo-driver"))

; Evidence for the readiness model: the code declares its indexes.
((call
   function: (attribute attribute: (identifier) @method)) @evidence
 (#model? @method "effect:index-declare")
 (#is? declares-mongo-index evidence)
 (#set! evidence "MongoDB indexes declared"))

; Evidence for the readiness model: the code declares its SQL tables' indexes (SQLAlchemy `Index`,
; `Column(index=True)`, Django `models.Index`, `db_index=True`): the database-load evidence for a SQL
; database, never a MongoDB index.
((call
   function: [(identifier) @fn (attribute attribute: (identifier) @fn)]) @evidence
 (#model? @fn "effect:sql-index")
 (#is? declares-sql-index evidence)
 (#set! evidence "SQL indexes declared"))

; Evidence for the readiness model: SQL that creates an index, as migrations run it
; (`CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table`, in a string). Reported from migrations too
; (rule.json evidenceRoles).
([(string)] @evidence
 (#match? @evidence "(CREATE|create)\\s+((UNIQUE|unique)\\s+)?(INDEX|index)\\s[^;]*\\s(ON|on)\\s")
 (#set! gate "INDEX index")
 (#set! evidence "SQL indexes declared"))
