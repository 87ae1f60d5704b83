module github.com/acme/orders-api

go 1.22

require (
	github.com/didip/tollbooth/v7 v7.0.2
	github.com/go-redis/redis_rate/v10 v10.0.1
	github.com/jackc/pgx/v5 v5.6.0
	github.com/jmoiron/sqlx v1.4.0
	github.com/lib/pq v1.10.9
	github.com/redis/go-redis/v9 v9.5.3
	github.com/ulule/limiter/v3 v3.11.2
	go.mongodb.org/mongo-driver v1.16.0
	golang.org/x/time v0.5.0
	gopkg.in/mail.v2 v2.3.1
	gorm.io/driver/postgres v1.5.9
	gorm.io/gorm v1.25.10
)
