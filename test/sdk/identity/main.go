// Drives Stackyard's identity and access API through Pulumi's generated Go client
// (github.com/pulumi/pulumi-cloud-sdk/go), so the server's wire shapes are checked by the
// decoder Pulumi's own tools use: a field the server names or types differently fails here, and
// so does a required field (one the SDK's type declares without omitempty) the server leaves out.
//
// Environment: STACKYARD_URL, STACKYARD_ADMIN_TOKEN (an organization admin's personal token),
// STACKYARD_ORG, STACKYARD_MEMBER (an existing user outside the organization) and STACKYARD_STACK
// ("project/stack", an existing stack of the organization). Exits 1 with a message at the first
// failed call or wrong field; prints a one-line summary otherwise.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apiclient"
	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

type check struct {
	ctx        context.Context
	baseURL    string
	operations []string
	// The body of the last response, for the shape check.
	lastBody []byte
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "sdk identity check failed: "+format+"\n", args...)
	os.Exit(1)
}

// client is the SDK's typed client authenticating as Pulumi's tools do, with `Authorization: token …`.
func (c *check) client(token string) *apiclient.CloudClient {
	return &apiclient.CloudClient{
		BaseURL: c.baseURL,
		Executor: func(req *http.Request) (*http.Response, error) {
			req.Header.Set("Authorization", "token "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, err
			}
			c.lastBody = body
			resp.Body = io.NopCloser(bytes.NewReader(body))
			return resp, nil
		},
	}
}

// call records an operation and stops the check at its first error.
func (c *check) call(operation string, err error) {
	c.operations = append(c.operations, operation)
	if err != nil {
		fail("%s: %v", operation, err)
	}
}

// decoded records an operation that returned a body and checks the body's shape against the
// SDK's type: the decoder ignores a missing field, so every field the type declares without
// omitempty/omitzero (the spec's required fields) must be present.
func (c *check) decoded(operation string, result any, err error) {
	c.call(operation, err)
	var raw any
	if err := json.Unmarshal(c.lastBody, &raw); err != nil {
		fail("%s: the body is not JSON: %v", operation, err)
	}
	if problem := missingFields(reflect.TypeOf(result), raw, "$"); problem != "" {
		fail("%s: %s in %s", operation, problem, c.lastBody)
	}
}

// Fields the SDK's Go types declare without omitempty although Pulumi's OpenAPI spec does not
// require them.
var optionalInSpec = map[string]bool{"OrganizationMember.links": true}

// missingFields names the first required field of t absent from the JSON value v, or "".
func missingFields(t reflect.Type, v any, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		items, ok := v.([]any)
		if !ok {
			return ""
		}
		for i, item := range items {
			if problem := missingFields(t.Elem(), item, fmt.Sprintf("%s[%d]", path, i)); problem != "" {
				return problem
			}
		}
	case reflect.Struct:
		object, ok := v.(map[string]any)
		if !ok || t == reflect.TypeOf(time.Time{}) {
			return ""
		}
		for i := range t.NumField() {
			field := t.Field(i)
			if field.Anonymous {
				if problem := missingFields(field.Type, v, path); problem != "" {
					return problem
				}
				continue
			}
			name, options, _ := strings.Cut(field.Tag.Get("json"), ",")
			if name == "-" || name == "" {
				continue
			}
			value, present := object[name]
			optional := strings.Contains(options, "omitempty") || strings.Contains(options, "omitzero") || optionalInSpec[t.Name()+"."+name]
			if !present && !optional {
				return fmt.Sprintf("required field %s.%s is missing", path, name)
			}
			if problem := missingFields(field.Type, value, path+"."+name); problem != "" {
				return problem
			}
		}
	}
	return ""
}

// refused records an operation that must fail with the given HTTP status.
func (c *check) refused(operation string, status int, err error) {
	c.operations = append(c.operations, operation)
	var apiErr *apiclient.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode() != status {
		fail("%s: want HTTP %d, got %v", operation, status, err)
	}
}

func expect(what string, got, want any) {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		fail("%s: got %v, want %v", what, got, want)
	}
}

func nonEmpty(what, value string) {
	if value == "" {
		fail("%s is missing", what)
	}
}

func env(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fail("%s is not set", name)
	}
	return value
}

func ptr[T any](v T) *T { return &v }

func findToken(tokens []apitype.AccessToken, id string) *apitype.AccessToken {
	for i := range tokens {
		if tokens[i].ID == id {
			return &tokens[i]
		}
	}
	return nil
}

func findMember(members []apitype.OrganizationMember, login string) *apitype.OrganizationMember {
	for i := range members {
		if members[i].User.GitHubLogin == login {
			return &members[i]
		}
	}
	return nil
}

func main() {
	c := &check{ctx: context.Background(), baseURL: strings.TrimSuffix(env("STACKYARD_URL"), "/")}
	adminToken, org, member := env("STACKYARD_ADMIN_TOKEN"), env("STACKYARD_ORG"), env("STACKYARD_MEMBER")
	project, stack, ok := strings.Cut(env("STACKYARD_STACK"), "/")
	if !ok {
		fail("STACKYARD_STACK must be project/stack")
	}
	admin := c.client(adminToken)
	started := time.Now().Add(-time.Minute).Unix()

	// The current user: a person, an admin of the organization, no token info.
	me, err := admin.GetCurrentUser(c.ctx)
	c.decoded("GetCurrentUser", me, err)
	nonEmpty("user.id", me.ID)
	nonEmpty("user.githubLogin", me.GitHubLogin)
	adminLogin := me.GitHubLogin
	orgIndex := slices.IndexFunc(me.Organizations, func(o apitype.OrganizationSummaryWithRole) bool { return o.GitHubLogin == org })
	if orgIndex < 0 {
		fail("user.organizations %+v lacks %s", me.Organizations, org)
	}
	expect("user.organizations[].role", me.Organizations[orgIndex].Role, apitype.OrganizationRoleAdmin)
	nonEmpty("user.organizations[].name", me.Organizations[orgIndex].Name)
	if me.TokenInfo != nil {
		fail("a personal token's user has tokenInfo %+v", *me.TokenInfo)
	}

	// Personal tokens: created, listed with their fields, usable, deleted.
	personal, err := admin.CreatePersonalToken(c.ctx, nil, apitype.CreatePersonalAccessTokenRequest{
		BaseCreateAccessTokenRequest: apitype.BaseCreateAccessTokenRequest{Description: "sdk personal token", Expires: 0},
	})
	c.decoded("CreatePersonalToken", personal, err)
	nonEmpty("personal token id", personal.ID)
	nonEmpty("personal token value", personal.TokenValue)
	personalTokens, err := admin.ListPersonalTokens(c.ctx, nil, nil, nil, nil, nil, nil)
	c.decoded("ListPersonalTokens", personalTokens, err)
	listed := findToken(personalTokens.Tokens, personal.ID)
	if listed == nil {
		fail("ListPersonalTokens lacks token %s", personal.ID)
	}
	expect("personal token description", listed.Description, "sdk personal token")
	expect("personal token type", listed.Type, apitype.AccessTokenTypePersonal)
	expect("personal token expires", listed.Expires, 0)
	nonEmpty("personal token created", listed.Created)
	viaPersonal, err := c.client(personal.TokenValue).GetCurrentUser(c.ctx)
	c.decoded("GetCurrentUser", viaPersonal, err)
	expect("user of the new personal token", viaPersonal.GitHubLogin, adminLogin)
	c.call("DeletePersonalToken", admin.DeletePersonalToken(c.ctx, personal.ID))
	personalTokens, err = admin.ListPersonalTokens(c.ctx, nil, nil, nil, nil, nil, nil)
	c.decoded("ListPersonalTokens", personalTokens, err)
	if findToken(personalTokens.Tokens, personal.ID) != nil {
		fail("ListPersonalTokens still lists deleted token %s", personal.ID)
	}
	_, err = c.client(personal.TokenValue).GetCurrentUser(c.ctx)
	c.refused("GetCurrentUser", http.StatusUnauthorized, err)

	// Members: added, listed, promoted, demoted later by removal.
	added, err := admin.AddOrganizationMember(c.ctx, org, member, apitype.AddOrganizationMemberRequest{Role: apitype.OrganizationRoleMember})
	c.decoded("AddOrganizationMember", added, err)
	expect("added member role", added.Role, apitype.OrganizationRoleMember)
	expect("added member login", added.User.GitHubLogin, member)
	if added.Created.IsZero() {
		fail("added member has no created time")
	}
	members, err := admin.ListOrganizationMembers(c.ctx, org, nil, nil, ptr(apitype.OrganizationMemberKindBackend))
	c.decoded("ListOrganizationMembers", members, err)
	if m := findMember(members.Members, member); m == nil || m.Role != apitype.OrganizationRoleMember {
		fail("ListOrganizationMembers: %s is not listed as a member: %+v", member, members.Members)
	}
	if m := findMember(members.Members, adminLogin); m == nil || m.Role != apitype.OrganizationRoleAdmin || m.Created.IsZero() {
		fail("ListOrganizationMembers: %s is not listed as an admin with a created time: %+v", adminLogin, members.Members)
	}
	c.call("UpdateOrganizationMember", admin.UpdateOrganizationMember(c.ctx, org, member, apitype.UpdateOrganizationMemberRequest{Role: apitype.OrganizationRoleAdmin}))
	members, err = admin.ListOrganizationMembers(c.ctx, org, nil, nil, ptr(apitype.OrganizationMemberKindBackend))
	c.decoded("ListOrganizationMembers", members, err)
	if m := findMember(members.Members, member); m == nil || m.Role != apitype.OrganizationRoleAdmin {
		fail("UpdateOrganizationMember: %s is not an admin now: %+v", member, members.Members)
	}

	// Teams: created, listed, renamed, given a member and a stack, read back.
	const teamName = "sdk-team"
	team, err := admin.CreatePulumiTeam(c.ctx, org, apitype.CreatePulumiTeamRequest{Name: teamName, DisplayName: "SDK Team", Description: "made by the SDK"})
	c.decoded("CreatePulumiTeam", team, err)
	expect("created team kind", team.Kind, apitype.TeamKindPulumi)
	expect("created team name", team.Name, teamName)
	expect("created team displayName", team.DisplayName, "SDK Team")
	expect("created team description", team.Description, "made by the SDK")
	teams, err := admin.ListTeams(c.ctx, org)
	c.decoded("ListTeams", teams, err)
	teamIndex := slices.IndexFunc(teams.Teams, func(t apitype.Team) bool { return t.Name == teamName })
	if teamIndex < 0 {
		fail("ListTeams lacks %s: %+v", teamName, teams.Teams)
	}
	expect("listed team kind", teams.Teams[teamIndex].Kind, apitype.TeamKindPulumi)
	expect("listed team userRole", teams.Teams[teamIndex].UserRole, apitype.TeamRoleAdmin)
	c.call("UpdateTeam", admin.UpdateTeam(c.ctx, org, teamName, apitype.UpdateTeamRequest{
		NewDisplayName: ptr("SDK Team, renamed"),
		NewDescription: ptr("described again"),
	}))
	c.call("UpdateTeam", admin.UpdateTeam(c.ctx, org, teamName, apitype.UpdateTeamRequest{
		MemberAction: ptr(apitype.MemberActionAdd),
		Member:       ptr(member),
	}))
	c.call("UpdateTeam", admin.UpdateTeam(c.ctx, org, teamName, apitype.UpdateTeamRequest{
		AddStackPermission: &apitype.TeamStackPermission{ProjectName: project, StackName: stack, Permission: apitype.StackPermissionRead},
	}))
	c.call("UpdateTeam", admin.UpdateTeam(c.ctx, org, teamName, apitype.UpdateTeamRequest{
		EditStackPermission: &apitype.TeamStackPermission{ProjectName: project, StackName: stack, Permission: apitype.StackPermissionWrite},
	}))
	got, err := admin.GetTeam(c.ctx, org, teamName)
	c.decoded("GetTeam", got, err)
	expect("team displayName", got.DisplayName, "SDK Team, renamed")
	expect("team description", got.Description, "described again")
	expect("team userRole", got.UserRole, apitype.TeamRoleAdmin)
	roles := map[string]apitype.TeamRole{}
	for _, m := range got.Members {
		roles[m.GitHubLogin] = m.TeamRole
	}
	expect("team members", fmt.Sprint(roles), fmt.Sprint(map[string]apitype.TeamRole{adminLogin: apitype.TeamRoleAdmin, member: apitype.TeamRoleMember}))
	expect("team stacks", fmt.Sprintf("%+v", got.Stacks), fmt.Sprintf("%+v", []apitype.TeamStackPermission{{ProjectName: project, StackName: stack, Permission: apitype.StackPermissionWrite}}))

	// Team tokens act as the team.
	teamToken, err := admin.CreateTeamToken(c.ctx, org, teamName, nil, apitype.CreateTeamAccessTokenRequest{
		BaseCreateAccessTokenRequest: apitype.BaseCreateAccessTokenRequest{Description: "sdk team token"},
		Name:                         "sdk-team-token",
	})
	c.decoded("CreateTeamToken", teamToken, err)
	nonEmpty("team token value", teamToken.TokenValue)
	teamTokens, err := admin.ListTeamTokens(c.ctx, org, teamName, nil, nil, nil, nil, nil, nil)
	c.decoded("ListTeamTokens", teamTokens, err)
	if t := findToken(teamTokens.Tokens, teamToken.ID); t == nil || t.Name != "sdk-team-token" || t.Type != apitype.AccessTokenTypeTeam || t.Description != "sdk team token" {
		fail("ListTeamTokens: token %s not listed as the team token: %+v", teamToken.ID, teamTokens.Tokens)
	}
	asTeam, err := c.client(teamToken.TokenValue).GetCurrentUser(c.ctx)
	c.decoded("GetCurrentUser", asTeam, err)
	if asTeam.TokenInfo == nil || asTeam.TokenInfo.Name != "sdk-team-token" || asTeam.TokenInfo.Organization == nil || *asTeam.TokenInfo.Organization != org ||
		asTeam.TokenInfo.Team == nil || *asTeam.TokenInfo.Team != teamName {
		fail("GetCurrentUser with the team token: tokenInfo %+v", asTeam.TokenInfo)
	}
	c.call("DeleteTeamToken", admin.DeleteTeamToken(c.ctx, org, teamName, teamToken.ID, nil))
	teamTokens, err = admin.ListTeamTokens(c.ctx, org, teamName, nil, nil, nil, nil, nil, nil)
	c.decoded("ListTeamTokens", teamTokens, err)
	if findToken(teamTokens.Tokens, teamToken.ID) != nil {
		fail("ListTeamTokens still lists deleted token %s", teamToken.ID)
	}

	// Organization tokens act as the organization.
	orgToken, err := admin.CreateOrgToken(c.ctx, org, nil, apitype.CreateOrgAccessTokenRequest{
		BaseCreateAccessTokenRequest: apitype.BaseCreateAccessTokenRequest{Description: "sdk org token"},
		Name:                         "sdk-org-token",
		Admin:                        true,
	})
	c.decoded("CreateOrgToken", orgToken, err)
	nonEmpty("organization token value", orgToken.TokenValue)
	orgTokens, err := admin.ListOrgTokens(c.ctx, org, nil, nil, nil, nil, nil, nil)
	c.decoded("ListOrgTokens", orgTokens, err)
	if t := findToken(orgTokens.Tokens, orgToken.ID); t == nil || t.Name != "sdk-org-token" || !t.Admin || t.Type != apitype.AccessTokenTypeOrganization {
		fail("ListOrgTokens: token %s not listed as an admin organization token: %+v", orgToken.ID, orgTokens.Tokens)
	}
	asOrg, err := c.client(orgToken.TokenValue).GetCurrentUser(c.ctx)
	c.decoded("GetCurrentUser", asOrg, err)
	expect("githubLogin with the organization token", asOrg.GitHubLogin, org)
	if asOrg.TokenInfo == nil || asOrg.TokenInfo.Name != "sdk-org-token" || asOrg.TokenInfo.Organization == nil || *asOrg.TokenInfo.Organization != org {
		fail("GetCurrentUser with the organization token: tokenInfo %+v", asOrg.TokenInfo)
	}
	c.call("DeleteOrgToken", admin.DeleteOrgToken(c.ctx, org, orgToken.ID))
	orgTokens, err = admin.ListOrgTokens(c.ctx, org, nil, nil, nil, nil, nil, nil)
	c.decoded("ListOrgTokens", orgTokens, err)
	if findToken(orgTokens.Tokens, orgToken.ID) != nil {
		fail("ListOrgTokens still lists deleted token %s", orgToken.ID)
	}

	// Undo: the stack and the member leave the team, the member the organization, the team goes.
	c.call("UpdateTeam", admin.UpdateTeam(c.ctx, org, teamName, apitype.UpdateTeamRequest{
		RemoveStack: &apitype.RemoveStackIdentifier{ProjectName: project, StackName: stack},
	}))
	c.call("UpdateTeam", admin.UpdateTeam(c.ctx, org, teamName, apitype.UpdateTeamRequest{
		MemberAction: ptr(apitype.MemberActionRemove),
		Member:       ptr(member),
	}))
	got, err = admin.GetTeam(c.ctx, org, teamName)
	c.decoded("GetTeam", got, err)
	if len(got.Stacks) != 0 || len(got.Members) != 1 || got.Members[0].GitHubLogin != adminLogin {
		fail("GetTeam after removals: members %+v, stacks %+v", got.Members, got.Stacks)
	}
	c.call("DeleteOrganizationMember", admin.DeleteOrganizationMember(c.ctx, org, member))
	members, err = admin.ListOrganizationMembers(c.ctx, org, nil, nil, ptr(apitype.OrganizationMemberKindBackend))
	c.decoded("ListOrganizationMembers", members, err)
	if findMember(members.Members, member) != nil {
		fail("ListOrganizationMembers still lists removed member %s", member)
	}
	c.call("DeleteTeam", admin.DeleteTeam(c.ctx, org, teamName))
	_, err = admin.GetTeam(c.ctx, org, teamName)
	c.refused("GetTeam", http.StatusNotFound, err)

	// The audit log holds an event for each kind of change made above. V1 pages back from now
	// (its startTime is an upper bound); V2 reads startTime as the lower bound.
	wanted := []string{
		"member-added", "member-role-changed", "member-removed",
		"team-created", "team-updated", "team-deleted",
		"team-token-created", "team-token-deleted",
		"organization-token-created", "organization-token-deleted",
	}
	for _, version := range []string{"V1", "V2"} {
		list := admin.ListAuditLogEventsHandlerV1
		var startTime *int64
		if version == "V2" {
			list, startTime = admin.ListAuditLogEventsHandlerV2, ptr(started)
		}
		seen := map[string]bool{}
		var continuation *string
		for page := 0; ; page++ {
			logs, err := list(c.ctx, org, continuation, nil, nil, nil, startTime, nil)
			c.decoded("ListAuditLogEventsHandler"+version, logs, err)
			for _, event := range logs.AuditLogEvents {
				if event.Timestamp < started || event.Event == "" || event.Description == "" || event.User.GitHubLogin == "" || event.SourceIP == "" {
					fail("audit event with a missing field: %+v", event)
				}
				seen[event.Event] = true
			}
			if logs.ContinuationToken == nil || *logs.ContinuationToken == "" || page > 20 {
				break
			}
			continuation = logs.ContinuationToken
		}
		for _, kind := range wanted {
			if !seen[kind] {
				fail("the %s audit log has no %q event; it has %v", version, kind, slices.Sorted(maps.Keys(seen)))
			}
		}
	}

	distinct := slices.Compact(slices.Sorted(slices.Values(c.operations)))
	fmt.Printf("sdk identity check passed: %d calls, %d operations: %s\n", len(c.operations), len(distinct), strings.Join(distinct, " "))
}
