package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// CreateUser stores a new dashboard user.
func (s *DB) CreateUser(ctx context.Context, u *unvite.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt = s.now()
	err := s.db.QueryRowContext(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) RETURNING id`,
		u.Name, u.PasswordHash, u.CreatedAt.Unix()).Scan(&u.ID)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return unvite.Errorf(unvite.ECONFLICT, "a user named %s exists already", u.Name)
		}
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	return nil
}

// CountUsers counts the dashboard's users.
func (s *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count users: %w", err)
	}
	return n, nil
}

// User returns a user by id.
func (s *DB) User(ctx context.Context, id int64) (*unvite.User, error) {
	return s.findUser(ctx, "id = ?", id)
}

// UserByName returns a user by name.
func (s *DB) UserByName(ctx context.Context, name string) (*unvite.User, error) {
	return s.findUser(ctx, "name = ?", name)
}

func (s *DB) findUser(ctx context.Context, where string, arg any) (*unvite.User, error) {
	var u unvite.User
	var created int64
	err := s.prepared(nil).QueryRowContext(ctx, `SELECT id, name, password_hash, created_at FROM users WHERE `+where, arg).
		Scan(&u.ID, &u.Name, &u.PasswordHash, &created)
	if isNoRows(err) {
		return nil, notFound("user", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %v: %w", arg, err)
	}
	u.CreatedAt = time.Unix(created, 0).UTC()
	return &u, nil
}

// SetPassword replaces a user's password hash.
func (s *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	if hash == "" {
		return unvite.Errorf(unvite.EINVALID, "user %d: a password hash is required", userID)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
	if err != nil {
		return fmt.Errorf("sqlite: set password of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("user", userID)
	}
	return nil
}

// CreateWebSession stores a browser session; expired ones go at the same time.
func (s *DB) CreateWebSession(ctx context.Context, ws *unvite.WebSession) error {
	if len(ws.Hash) == 0 || ws.ExpiresAt.IsZero() {
		return unvite.Errorf(unvite.EINVALID, "web session: hash and expiry are required")
	}
	ws.CreatedAt = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, ws.CreatedAt.Unix()); err != nil {
			return fmt.Errorf("sqlite: expire web sessions: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO web_sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			ws.Hash, ws.UserID, ws.CreatedAt.Unix(), ws.ExpiresAt.Unix())
		if err != nil {
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				return notFound("user", ws.UserID)
			}
			return fmt.Errorf("sqlite: create web session: %w", err)
		}
		return nil
	})
}

// WebSession finds a live session by token hash.
func (s *DB) WebSession(ctx context.Context, hash []byte, now time.Time) (*unvite.WebSession, error) {
	ws := unvite.WebSession{Hash: hash}
	var created, expires int64
	err := s.prepared(nil).QueryRowContext(ctx, `SELECT user_id, created_at, expires_at FROM web_sessions WHERE hash = ? AND expires_at > ?`,
		hash, now.Unix()).Scan(&ws.UserID, &created, &expires)
	if isNoRows(err) {
		return nil, unvite.Errorf(unvite.ENOTFOUND, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: web session: %w", err)
	}
	ws.CreatedAt, ws.ExpiresAt = time.Unix(created, 0).UTC(), time.Unix(expires, 0).UTC()
	return &ws, nil
}

// DeleteWebSession ends a session; ending one that is gone is no error.
func (s *DB) DeleteWebSession(ctx context.Context, hash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("sqlite: delete web session: %w", err)
	}
	return nil
}

// CreateAPIToken stores a personal API token.
func (s *DB) CreateAPIToken(ctx context.Context, t *unvite.APIToken) error {
	if strings.TrimSpace(t.Name) == "" || len(t.Hash) == 0 {
		return unvite.Errorf(unvite.EINVALID, "API token: a name is required")
	}
	t.CreatedAt = s.now()
	err := s.db.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, write, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.Write, t.CreatedAt.Unix()).Scan(&t.ID)
	if err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return notFound("user", t.UserID)
		}
		return fmt.Errorf("sqlite: create API token: %w", err)
	}
	return nil
}

const tokenColumns = `id, user_id, name, hash, write, created_at`

func scanToken(row interface{ Scan(...any) error }) (*unvite.APIToken, error) {
	var t unvite.APIToken
	var created int64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Write, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = time.Unix(created, 0).UTC()
	return &t, nil
}

// APIToken finds a token by hash.
func (s *DB) APIToken(ctx context.Context, hash []byte) (*unvite.APIToken, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ?`, hash))
	if isNoRows(err) {
		return nil, unvite.Errorf(unvite.ENOTFOUND, "no such API token")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: API token: %w", err)
	}
	return t, nil
}

// APITokens lists a user's tokens, oldest first.
func (s *DB) APITokens(ctx context.Context, userID int64) ([]*unvite.APIToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: API tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []*unvite.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: API tokens of user %d: %w", userID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteAPIToken revokes a user's token.
func (s *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("sqlite: delete API token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("API token", id)
	}
	return nil
}
