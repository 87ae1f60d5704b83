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

; Export: `.all()` at the end of a SQLAlchemy query (`Users.query.filter(...).all()`,
; `session.execute(select(Users)).scalars().all()`): orm-tables.ts keeps the whole reads of a model.
((call function: (attribute attribute: (identifier) @method)) @read
 (#eq? @method "all")
 (#set! export "orm-read.all"))

; Export: a Django queryset (`Project.objects...`), judged by what consumes it whole (list(), for, many=True).
((attribute object: (identifier) attribute: (identifier) @manager) @read
 (#eq? @manager "objects")
 (#set! export "orm-read.django"))

; Export: a foreign key of a model class (`user_id = Column(ForeignKey("users.id"))`, `user = models.ForeignKey(User)`).
((call function: [(identifier) @f (attribute attribute: (identifier) @f)]) @key
 (#model? @f "effect:relation")
 (#set! export "orm-relation"))

; Export: a mapped class's table (`__tablename__ = "users"`).
((assignment left: (identifier) @key right: (string) @table)
 (#eq? @key "__tablename__")
 (#set! export "orm-table"))

; Export: the users table: a class on a base the models mark (Django's AbstractUser), or a mapped class named for it.
((class_definition name: (identifier) @key superclasses: (argument_list [(identifier) @base (attribute attribute: (identifier) @base)]))
 (#model? @base "effect:user-model")
 (#set! export "orm-user"))
((class_definition name: (identifier) @key)
 (#any-of? @key @USER_TABLES@)
 (#set! export "orm-user"))

; Export: a settings dictionary at module level (`REST_FRAMEWORK = {...}`): orm-tables.ts keeps the
; ones whose key the models name as a setting that pages every view (DEFAULT_PAGINATION_CLASS).
((expression_statement (assignment left: (identifier) @key right: (dictionary) @table)) @stmt
 (#match? @key "^[A-Z][A-Z0-9_]*$")
 (#set! gate "@PAGING_SETTINGS@")
 (#set! export "orm-paged"))
