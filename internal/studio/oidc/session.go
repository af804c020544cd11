package oidc

import (
	"context"

	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
)

// ErrNotAllowed is SignIn's one refusal, whether the address belongs to no
// Studio user or lies outside the allowed domains: like email sign-in, the
// outward result must not reveal which addresses have accounts. The reason
// is in the audit log.
var ErrNotAllowed = signin.ErrNotAllowed

// SignIn admits id, which must come from Finish, with email sign-in's
// admission rule (see signin.Service.SignInVerified): the user must already
// exist and be in an allowed domain. The sign-in is audited; the caller then
// starts the session (renew the token, put signin.UserIDKey).
func SignIn(ctx context.Context, svc *signin.Service, id Identity, ip string) (store.User, error) {
	return svc.SignInVerified(ctx, id.Email, "oidc", id.Subject, ip)
}
