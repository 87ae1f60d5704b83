module example.com/ledger

go 1.22

require (
	github.com/jackc/pgx/v5 v5.5.5
	google.golang.org/grpc v1.63.2
)
