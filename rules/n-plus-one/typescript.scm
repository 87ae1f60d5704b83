; A query call inside a loop or a per-item callback (`.map`, `.forEach`): MongoDB driver and
; mongoose `findOne/findById/find/countDocuments`, Prisma `findUnique/findFirst/findMany`,
; TypeORM/Sequelize `findOneBy/findBy/findByPk/findAll`, node-postgres/mysql2 `query`.
; check() keeps the calls that are reads and depend on the loop variable.
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments)) @match
 (#any-of? @method "findOne" "findById" "findByPk" "findOneBy" "findBy" "findUnique" "findUniqueOrThrow" "findFirst" "findFirstOrThrow" "findMany" "findAll" "find" "countDocuments" "query")
 (#is? inside-loop match))
