; Queries with a literal filter: db.collection('users').findOne({ email }), users.find({...}), User.find({...}) (mongoose)
((call_expression
   function: (member_expression object: (_) @receiver property: (property_identifier) @method)
   arguments: (arguments . (object) @filter)) @call
 (#any-of? @method "find" "findOne" "findOneAndUpdate" "findOneAndDelete" "findOneAndReplace" "countDocuments" "updateOne" "updateMany" "deleteOne" "deleteMany" "exists")
 (#set! export "mongo-query"))

; Index declarations: collection.createIndex({ a: 1 }), createIndexes([{ key: { a: 1 } }]), schema.index({ a: 1 })
((call_expression
   function: (member_expression object: (_) @receiver property: (property_identifier) @method)
   arguments: (arguments . (_) @keys)) @call
 (#any-of? @method "createIndex" "createIndexes" "index")
 (#set! export "mongo-index"))

; Collection aliases: const users = db.collection('users'); this.users = db.collection<User>('users')
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . (string (string_fragment) @collection))) @call
 (#eq? @method "collection")
 (#set! export "mongo-alias"))

; mongoose: const userSchema = new Schema({ email: { type: String, index: true } })
((new_expression
   constructor: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments . (object) @definition)) @call
 (#any-of? @ctor "Schema")
 (#set! export "mongoose-schema"))

; mongoose: const User = mongoose.model('User', userSchema[, 'people'])
((call_expression
   function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]
   arguments: (arguments . (string (string_fragment) @model))) @call
 (#any-of? @fn "model")
 (#set! export "mongoose-model"))

; The workspace talks to MongoDB through the driver or mongoose.
((import_statement source: (string (string_fragment) @module)) @call
 (#any-of? @module "mongodb" "mongoose")
 (#set! export "mongo-driver"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module))) @call
 (#eq? @require "require")
 (#any-of? @module "mongodb" "mongoose")
 (#set! export "mongo-driver"))

; Evidence for the readiness model: the code declares its indexes.
((call_expression
   function: (member_expression property: (property_identifier) @method)) @evidence
 (#any-of? @method "createIndex" "createIndexes")
 (#set! evidence "MongoDB indexes declared"))
