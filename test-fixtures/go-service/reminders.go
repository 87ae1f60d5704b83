package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Reminders schedules one cron entry per user: a weekly nudge at the time the user picked.
type Reminders struct {
	cron    *cron.Cron
	mailer  *Mailer
	mu      sync.Mutex
	entries map[int64]cron.EntryID
}

type reminderJob struct {
	userID int64
	email  string
	mailer *Mailer
}

func (j reminderJob) Run() {
	_ = j.mailer.Send(j.email, "Your weekly reminder", "Here is the nudge you asked for.")
}

func (rm *Reminders) Schedule(userID int64, email, spec string) error {
	id, err := rm.cron.AddJob(spec, reminderJob{userID: userID, email: email, mailer: rm.mailer})
	if err != nil {
		return err
	}
	rm.mu.Lock()
	rm.entries[userID] = id
	rm.mu.Unlock()
	return nil
}

// Cancel drops a user's reminder by the entry id kept when it was scheduled.
func (rm *Reminders) Cancel(userID int64) {
	rm.mu.Lock()
	id, ok := rm.entries[userID]
	delete(rm.entries, userID)
	rm.mu.Unlock()
	if ok {
		rm.cron.Remove(id) // ok: scheduler-job-scan
	}
}

// handleDeleteReminder is the older endpoint, from before the entry ids were kept.
func (rm *Reminders) handleDeleteReminder(w http.ResponseWriter, r *http.Request) {
	userID, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		http.Error(w, "bad user id", http.StatusBadRequest)
		return
	}
	for _, e := range rm.cron.Entries() { // expect: scheduler-job-scan (error)
		if job, ok := e.Job.(reminderJob); ok && job.userID == userID {
			rm.cron.Remove(e.ID)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleListReminders is the admin view: every entry with its next run.
func (rm *Reminders) handleListReminders(w http.ResponseWriter, r *http.Request) {
	type row struct {
		ID   cron.EntryID `json:"id"`
		Next time.Time    `json:"next"`
	}
	var out []row
	for _, e := range rm.cron.Entries() { // ok: scheduler-job-scan -- a listing, no search
		out = append(out, row{ID: e.ID, Next: e.Next})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
