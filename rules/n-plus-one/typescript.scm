; A query call inside a loop or a per-item callback (`.map`, `.forEach`): the names the models give
; database reads and counts (MongoDB driver, mongoose, Prisma, TypeORM, Sequelize, MikroORM,
; node-postgres, mysql2, ...). check() keeps the calls that resolve to a read (or, where nothing
; resolves, have a read's shape) and depend on the loop variable.
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments)) @match
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-query")
 (#is? inside-loop match))

; A write of one row inside a loop or a per-item callback, where the library has a bulk form (the
; models' `bulkTwin`: Prisma `create` → `createMany`, Sequelize `bulkCreate`, `insertOne` → `insertMany`).
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments)) @match
 (#model? @method "property:bulkTwin")
 (#is? inside-loop match)
 (#set! form "write"))
