package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"
)

// Account security commands (`sealgate user 2fa|app-password|s3key`):
//
//	user 2fa NAME off                     turn two-factor sign-in off (lost phone)
//	user app-password NAME add LABEL      print a new WebDAV app password once
//	user app-password NAME list
//	user app-password NAME revoke ID
//	user s3key NAME add|list|revoke [ACCESS_KEY_ID]
//
// (`user keys NAME` replaces the account's original S3 key pair; s3key
// manages the extra pairs.)
const securityUsage = "user 2fa NAME off | user app-password NAME add LABEL|list|revoke ID | user s3key NAME add|list|revoke ACCESS_KEY_ID"

// isSecuritySub reports whether sub is one of these commands.
func isSecuritySub(sub string) bool { return sub == "2fa" || sub == "app-password" || sub == "s3key" }

// userSecurity runs one of them; pos is NAME, the action and its argument.
func userSecurity(ctx context.Context, sub string, pos []string, c *config, e env, asJSON bool) error {
	if len(pos) < 2 || len(pos) > 3 {
		return fmt.Errorf("%w: %s", errUsage, securityUsage)
	}
	d, err := openDeployment(ctx, c, e, openOpts{})
	if err != nil {
		return err
	}
	defer d.Close()
	u := userCmd{d: d, accts: d.accts, c: c, e: e, json: asJSON}
	name, action, arg := pos[0], pos[1], ""
	if len(pos) == 3 {
		arg = pos[2]
	}
	switch sub + " " + action {
	case "2fa off":
		return u.done(u.accts.ResetTOTP(ctx, name), "two-factor sign-in of %s is off", name)
	case "app-password add":
		return u.addAppPassword(ctx, name, arg)
	case "app-password list":
		return u.listAppPasswords(name)
	case "app-password revoke":
		return u.done(u.accts.RevokeAppPassword(ctx, name, arg), "app password %s of %s revoked", arg, name)
	case "s3key add":
		return u.addS3Key(ctx, name)
	case "s3key list":
		return u.listS3Keys(name)
	case "s3key revoke":
		return u.done(u.accts.RevokeS3Key(ctx, name, arg), "S3 key %s of %s revoked", arg, name)
	}
	return fmt.Errorf("%w: %s", errUsage, securityUsage)
}

// done prints a confirmation unless err.
func (u userCmd) done(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(u.e.stdout, "sealgate: "+format+"\n", args...)
	return nil
}

func (u userCmd) addAppPassword(ctx context.Context, name, label string) error {
	info, pw, err := u.accts.AddAppPassword(ctx, name, label)
	if err != nil {
		return err
	}
	defer clear(pw)
	if u.json {
		return json.NewEncoder(u.e.stdout).Encode(map[string]string{"id": info.ID, "name": info.Name, "password": string(pw)})
	}
	_, _ = fmt.Fprintf(u.e.stdout, "app password %s (%s) of %s, shown once; it opens WebDAV only:\n%s\n", info.ID, info.Name, name, string(pw))
	return nil
}

func (u userCmd) listAppPasswords(name string) error {
	a, err := u.accts.Get(name)
	if err != nil {
		return err
	}
	list := a.AppPasswords()
	if u.json {
		return json.NewEncoder(u.e.stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(u.e.stdout, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "ID\tNAME\tCREATED")
	for _, p := range list {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\n", p.ID, p.Name, p.Created.Format(time.RFC3339))
	}
	return tw.Flush()
}

func (u userCmd) addS3Key(ctx context.Context, name string) error {
	cr, err := u.accts.AddS3Key(ctx, name)
	if err != nil {
		return err
	}
	defer cr.Wipe()
	return u.printCredentials(cr)
}

func (u userCmd) listS3Keys(name string) error {
	a, err := u.accts.Get(name)
	if err != nil {
		return err
	}
	list := a.S3Keys()
	if u.json {
		return json.NewEncoder(u.e.stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(u.e.stdout, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "ACCESS KEY ID\tCREATED\tORIGINAL")
	for _, k := range list {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%v\n", k.AccessKeyID, k.Created.Format(time.RFC3339), k.Original)
	}
	return tw.Flush()
}
