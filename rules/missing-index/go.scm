; The names are the models' MongoDB driver calls (rule.ts keeps those whose model row takes the
; filter document where this one stands, or declares an index).

; Queries with a literal filter document after the context: coll.FindOne(ctx, bson.M{"email": e}),
; s.users.Find(ctx, bson.D{{"org", id}}), db.Collection("users").CountDocuments(ctx, bson.M{...})
((call_expression
   function: (selector_expression operand: (_) @receiver field: (field_identifier) @method)
   arguments: (argument_list . (_) . (composite_literal) @filter)) @call
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many")
 (#set! export "mongo-query"))

; Index declarations: coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ...}), CreateMany(ctx, []mongo.IndexModel{...})
((call_expression
   function: (selector_expression operand: (_) @receiver field: (field_identifier) @method)
   arguments: (argument_list . (_) . (composite_literal) @keys)) @call
 (#model? @method "effect:index-declare")
 (#set! export "mongo-index"))

; Collection aliases: users := db.Collection("users"); s.users = …; &Store{users: db.Collection("users")}
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list . (interpreted_string_literal (interpreted_string_literal_content) @collection) .)) @call
 (#model? @method "type:go.mongodb.org/mongo-driver/v2/mongo.Database")
 (#set! export "mongo-alias"))

; The workspace talks to MongoDB: an import of a library the models give a MongoDB client (rule.ts).
((import_spec path: (interpreted_string_literal (interpreted_string_literal_content) @module)) @call
 (#set! gate "mongo")
 (#set! export "mongo-driver"))

; Evidence for the readiness model: the code declares its indexes.
((call_expression
   function: (selector_expression field: (field_identifier) @method)) @evidence
 (#model? @method "effect:index-declare")
 (#is? declares-mongo-index evidence)
 (#set! evidence "MongoDB indexes declared"))

; Evidence for the readiness model: a gorm struct field declares an index of its table
; (`gorm:"index"`, `gorm:"uniqueIndex"`; which tags and entries from the models' structTags). "ndex"
; is the text both spellings share: it keeps tags that cannot declare one from being parsed.
((field_declaration
   tag: (raw_string_literal) @evidence)
 (#match? @evidence "ndex")
 (#is? declares-sql-index evidence)
 (#set! evidence "SQL indexes declared"))

; Evidence for the readiness model: SQL that creates an index, as migrations run it
; (`CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table`, in a string). Reported from migrations too
; (rule.json evidenceRoles).
([(raw_string_literal) (interpreted_string_literal)] @evidence
 (#match? @evidence "(CREATE|create)\\s+((UNIQUE|unique)\\s+)?(INDEX|index)\\s[^;]*\\s(ON|on)\\s")
 (#set! gate "INDEX index")
 (#set! evidence "SQL indexes declared"))
