; The names are the models' document-store calls (rule.ts keeps those whose model row takes a
; filter as the first argument, or declares an index).

; Queries with a literal filter: db.collection('users').findOne({ email }), users.find({...}), User.find({...}) (mongoose)
((call_expression
   function: (member_expression object: (_) @receiver property: (property_identifier) @method)
   arguments: (arguments . (object) @filter)) @call
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many")
 (#set! export "mongo-query"))

; Generic repositories (repositories.ts): a method queries a field of its class
; (`this.model.findOne(filter)`): the field's binding by the constructor, and a wrapper when the
; filter is the method's parameter.
((call_expression
   function: (member_expression
     object: (member_expression object: (this) property: (property_identifier) @field)
     property: (property_identifier) @method)
   arguments: (arguments . (_) @filter)) @call
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many")
 (#set! export "repo-wrapper"))

; Generic repositories: a call with a literal filter on a project class's instance (`this.users.count({ org })`,
; `this.findOne({ email })`), whatever its method's name: the workspace knows the class's wrappers.
((call_expression
   function: (member_expression
     object: [(this) @receiver (member_expression object: (this)) @receiver]
     property: (property_identifier) @method)
   arguments: (arguments . (object) @filter)) @call
 (#set! export "repo-call"))

; Generic repositories: a subclass hands its collection or model to its base (`super(User, UserEntity)`).
((call_expression
   function: (super)
   arguments: (arguments . (_))) @call
 (#set! gate "super(")
 (#set! export "repo-super"))

; Index declarations: collection.createIndex({ a: 1 }), createIndexes([{ key: { a: 1 } }]), schema.index({ a: 1 })
((call_expression
   function: (member_expression object: (_) @receiver property: (property_identifier) @method)
   arguments: (arguments . (_) @keys)) @call
 (#model? @method "effect:index-declare")
 (#set! export "mongo-index"))

; Collection aliases: const users = db.collection('users'); this.users = db.collection<User>('users')
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . (string (string_fragment) @collection))) @call
 (#model? @method "type:mongodb.Db")
 (#set! export "mongo-alias"))

; mongoose: const userSchema = new Schema({ email: { type: String, index: true } })
((new_expression
   constructor: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments . (object) @definition)) @call
 (#model? @ctor "effect:index-declare")
 (#set! export "mongoose-schema"))

; mongoose: const User = mongoose.model('User', userSchema[, 'people'])
((call_expression
   function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]
   arguments: (arguments . (string (string_fragment) @model))) @call
 (#model? @fn "symbol:mongoose.model")
 (#set! export "mongoose-model"))

; The workspace talks to MongoDB: an import of a library the models give a MongoDB client (rule.ts).
((import_statement source: (string (string_fragment) @module)) @call
 (#set! export "mongo-driver"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module))) @call
 (#eq? @require "require")
 (#set! export "mongo-driver"))

; Evidence for the readiness model: the code declares its indexes.
((call_expression
   function: (member_expression property: (property_identifier) @method)) @evidence
 (#model? @method "effect:index-declare")
 (#is? declares-mongo-index evidence)
 (#set! evidence "MongoDB indexes declared"))

; Evidence for the readiness model: the code declares its SQL tables' indexes (TypeORM `@Index()`,
; Drizzle `index("ix").on(t.userId)`): never a MongoDB index.
([(call_expression
    function: [(identifier) @fn (member_expression property: (property_identifier) @fn)])
  (new_expression
    constructor: [(identifier) @fn (member_expression property: (property_identifier) @fn)])] @evidence
 (#model? @fn "effect:sql-index")
 (#is? declares-sql-index evidence)
 (#set! evidence "SQL indexes declared"))

; Evidence for the readiness model: SQL that creates an index, as migrations run it
; (`CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table`, in a string). Reported from migrations too
; (rule.json evidenceRoles).
([(string) (template_string)] @evidence
 (#match? @evidence "(CREATE|create)\\s+((UNIQUE|unique)\\s+)?(INDEX|index)\\s[^;]*\\s(ON|on)\\s")
 (#set! gate "INDEX index")
 (#set! evidence "SQL indexes declared"))
