package main

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

// checkIdentity drives tokens, members, teams, the user and the audit log.
func checkIdentity(c *check, adminToken, org, member, project, stack string) {
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

}
