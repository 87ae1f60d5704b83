package grpcapi

import (
	"context"

	"example.com/ledger/internal/notify"
	"example.com/ledger/internal/store"
)

type StatementRequest struct {
	AccountID int64
	Email     string
}

type StatementReply struct {
	Sent bool
}

type ListEntriesRequest struct {
	AccountID int64
	PageSize  int32
}

type ListEntriesResponse struct {
	Cents []int64
}

type UnimplementedStatementsServer struct{}

// StatementsServer is a gRPC service: each method is a request handler.
type StatementsServer struct {
	UnimplementedStatementsServer
	Store *store.Store
}

func (s *StatementsServer) EmailStatement(ctx context.Context, req *StatementRequest) (*StatementReply, error) {
	cents, err := s.Store.BalanceOf(ctx, req.AccountID)
	if err != nil {
		return nil, err
	}
	// expect: sync-smtp-in-request -- notify.SendStatement dials SMTP inside the RPC
	if err := notify.SendStatement(req.Email, formatCents(cents)); err != nil {
		return nil, err
	}
	return &StatementReply{Sent: true}, nil
}

func (s *StatementsServer) ListEntries(ctx context.Context, req *ListEntriesRequest) (*ListEntriesResponse, error) {
	// expect: unbounded-page-size -- the client's page_size goes to the query as it is
	cents, err := s.Store.Entries(ctx, req.AccountID, int(req.PageSize))
	if err != nil {
		return nil, err
	}
	return &ListEntriesResponse{Cents: cents}, nil
}

func formatCents(c int64) string {
	return string(rune('0' + c%10))
}
