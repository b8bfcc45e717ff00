package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

func testUsers(t *testing.T, s unvite.Store) {
	n, err := s.CountUsers(ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	u := &unvite.User{Name: "admin", PasswordHash: "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"}
	require.NoError(t, s.CreateUser(ctx, u))
	require.NotZero(t, u.ID)
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(s.CreateUser(ctx, &unvite.User{Name: "admin", PasswordHash: "x"})))
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(s.CreateUser(ctx, &unvite.User{Name: "nohash"})))
	n, err = s.CountUsers(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	got, err := s.UserByName(ctx, "admin")
	require.NoError(t, err)
	require.Equal(t, u.ID, got.ID)
	require.Equal(t, u.PasswordHash, got.PasswordHash)
	_, err = s.UserByName(ctx, "Admin")
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err), "names are exact")
	require.NoError(t, s.SetPassword(ctx, u.ID, "new-hash"))
	got, err = s.User(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, "new-hash", got.PasswordHash)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(s.SetPassword(ctx, 999, "h")))

	// Sessions: found until they expire, gone once deleted.
	live := &unvite.WebSession{Hash: []byte("live-hash"), UserID: u.ID, ExpiresAt: day(1)}
	require.NoError(t, s.CreateWebSession(ctx, live))
	ws, err := s.WebSession(ctx, []byte("live-hash"), t0)
	require.NoError(t, err)
	require.Equal(t, u.ID, ws.UserID)
	require.True(t, ws.ExpiresAt.Equal(day(1)))
	_, err = s.WebSession(ctx, []byte("live-hash"), day(1))
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err), "expired at its expiry time")
	_, err = s.WebSession(ctx, []byte("other"), t0)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
	require.NoError(t, s.DeleteWebSession(ctx, []byte("live-hash")))
	_, err = s.WebSession(ctx, []byte("live-hash"), t0)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
	require.NoError(t, s.DeleteWebSession(ctx, []byte("live-hash")), "deleting twice is fine")
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(s.CreateWebSession(ctx,
		&unvite.WebSession{Hash: []byte("h"), UserID: 999, ExpiresAt: day(1)})))

	// Tokens: found by hash, listed per user, revoked by their owner only.
	other := &unvite.User{Name: "other", PasswordHash: "h"}
	require.NoError(t, s.CreateUser(ctx, other))
	rd := &unvite.APIToken{UserID: u.ID, Name: "read", Hash: []byte("read-hash")}
	wr := &unvite.APIToken{UserID: u.ID, Name: "write", Hash: []byte("write-hash"), Write: true}
	require.NoError(t, s.CreateAPIToken(ctx, rd))
	require.NoError(t, s.CreateAPIToken(ctx, wr))
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(s.CreateAPIToken(ctx, &unvite.APIToken{UserID: u.ID, Hash: []byte("x")})))
	tok, err := s.APIToken(ctx, []byte("write-hash"))
	require.NoError(t, err)
	require.Equal(t, wr.ID, tok.ID)
	require.True(t, tok.Write)
	require.Equal(t, "write", tok.Name)
	list, err := s.APITokens(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []int64{rd.ID, wr.ID}, []int64{list[0].ID, list[1].ID})
	require.False(t, list[0].Write)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(s.DeleteAPIToken(ctx, other.ID, rd.ID)), "not another user's token")
	require.NoError(t, s.DeleteAPIToken(ctx, u.ID, rd.ID))
	_, err = s.APIToken(ctx, []byte("read-hash"))
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
}
