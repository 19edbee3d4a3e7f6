package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apiclient"
	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

// checkPolicy drives policy as code through the SDK's typed methods, as `pulumi policy` and the
// console do: a pack published in two versions (created, its archive PUT to the signed uploadURI
// with no Authorization header, completed), listed, read and its config schema read; a stack
// group made, given a stack and the pack with config, changed in a batch (renamed), listed and
// read; the stack's groups and required packs read and the pack downloaded from its packLocation;
// an update that reports a violation, which the violations, the issues and their CSV export then
// show; and everything removed again, the pack disabled in the group first.
func checkPolicy(c *check, adminToken, org string) {
	admin := c.client(adminToken)
	ctx := c.ctx
	suffix := time.Now().UnixNano()
	packName, groupName := fmt.Sprintf("sdk-pack-%d", suffix), fmt.Sprintf("sdk-group-%d", suffix)
	renamed := groupName + "-renamed"
	project, stack := "sdkpolicy", fmt.Sprintf("pol-%d", suffix)
	created, err := admin.CreateStack(ctx, org, project, apitype.AppCreateStackRequest{StackName: stack})
	c.decoded("CreateStack", created, err)

	// Publish 0.0.1 and 0.0.2; completing before the archive arrived, or twice, is refused.
	archives := map[string][]byte{"0.0.1": gzipped("sdk policy pack 0.0.1"), "0.0.2": gzipped("sdk policy pack 0.0.2")}
	for i, tag := range []string{"0.0.1", "0.0.2"} {
		pack, err := admin.CreatePolicyPack(ctx, org, policyPackRequest(packName, tag))
		c.decoded("CreatePolicyPack", pack, err)
		expect("published version of "+tag, pack.Version, i+1)
		if !strings.HasPrefix(pack.UploadURI, c.baseURL+"/") {
			fail("CreatePolicyPack: uploadURI %q is not an absolute URL of the server", pack.UploadURI)
		}
		c.refused("CompletePolicyPack", 400, admin.CompletePolicyPack(ctx, org, packName, tag))
		status, body := plainRequest("PUT", pack.UploadURI, archives[tag], pack.RequiredHeaders)
		if status != http.StatusOK {
			fail("PUT uploadURI of %s: HTTP %d: %s", tag, status, body)
		}
		c.call("CompletePolicyPack", admin.CompletePolicyPack(ctx, org, packName, tag))
	}
	c.refused("CompletePolicyPack", 400, admin.CompletePolicyPack(ctx, org, packName, "0.0.2"))

	packs, err := admin.ListPolicyPacks_orgs(ctx, org, &packName)
	c.decoded("ListPolicyPacks_orgs", packs, err)
	expect("listed packs", len(packs.PolicyPacks), 1)
	expect("listed pack", fmt.Sprint(packs.PolicyPacks[0].Name, " ", packs.PolicyPacks[0].DisplayName, " ", packs.PolicyPacks[0].Versions, " ", packs.PolicyPacks[0].VersionTags),
		packName+" SDK pack [2 1] [0.0.2 0.0.1]")
	all, err := admin.ListPolicyPacks_orgs(ctx, org, nil)
	c.decoded("ListPolicyPacks_orgs", all, err)
	if !slices.ContainsFunc(all.PolicyPacks, func(p apitype.AppPolicyPackWithVersions) bool { return p.Name == packName }) {
		fail("ListPolicyPacks_orgs: %s is not listed: %s", packName, c.lastBody)
	}

	first, err := admin.GetPolicyPack(ctx, org, packName, "0.0.1")
	c.decoded("GetPolicyPack", first, err)
	expect("pack 0.0.1", fmt.Sprint(first.Name, " ", first.Version, " ", first.VersionTag, " ", first.Applied, " ", len(first.Policies)), packName+" 1 0.0.1 false 2")
	expect("pack 0.0.1's first policy", fmt.Sprint(first.Policies[0].Name, " ", first.Policies[0].EnforcementLevel, " ", first.Policies[0].Severity, " ", first.Policies[0].Description),
		"no-public advisory high Buckets must not be public.")
	second, err := admin.GetPolicyPack(ctx, org, packName, "2")
	c.decoded("GetPolicyPack", second, err)
	expect("pack version 2's tag", second.VersionTag, "0.0.2")
	_, err = admin.GetPolicyPack(ctx, org, packName, "9.9.9")
	c.refused("GetPolicyPack", 404, err)

	schema, err := admin.GetPolicyPackConfigSchema(ctx, org, packName, "0.0.1")
	c.decoded("GetPolicyPackConfigSchema", schema, err)
	expect("schema's policies", slices.Sorted(maps.Keys(schema.ConfigSchema)), "[all no-public tagged]")
	noPublic := schema.ConfigSchema["no-public"]
	expect("no-public's schema", fmt.Sprint(noPublic.Type, " ", slices.Sorted(maps.Keys(noPublic.Properties))), "object [allowed enforcementLevel]")

	// A group of stacks: made (twice is a 409), listed, given the stack and the pack.
	stacksType := apitype.PolicyGroupEntityTypeStacks
	c.call("NewPolicyGroup", admin.NewPolicyGroup(ctx, org, apitype.NewPolicyGroupRequest{Name: groupName, EntityType: &stacksType}))
	c.refused("NewPolicyGroup", 409, admin.NewPolicyGroup(ctx, org, apitype.NewPolicyGroupRequest{Name: groupName, EntityType: &stacksType}))
	groups, err := admin.ListPolicyGroups(ctx, org)
	c.decoded("ListPolicyGroups", groups, err)
	expect("new group", groupSummaryText(findGroup(groups, groupName)), "false stacks preventative 0 stacks 0 packs")
	defaultGroup := findGroup(groups, "default-policy-group")
	expect("default group", fmt.Sprint(defaultGroup.IsOrgDefault, " ", defaultGroup.EntityType, " ", defaultGroup.Mode), "true stacks preventative")

	member := &apitype.AppPulumiStackReference{Name: stack, RoutingProject: project}
	c.call("UpdatePolicyGroup", admin.UpdatePolicyGroup(ctx, org, groupName, apitype.UpdatePolicyGroupRequest{AppUpdatePolicyGroupRequest: apitype.AppUpdatePolicyGroupRequest{AddStack: member}}))
	mandatory := map[string]*json.RawMessage{"all": rawJSON(`{"enforcementLevel":"mandatory"}`)}
	c.call("UpdatePolicyGroup", admin.UpdatePolicyGroup(ctx, org, groupName, apitype.UpdatePolicyGroupRequest{AppUpdatePolicyGroupRequest: apitype.AppUpdatePolicyGroupRequest{
		AddPolicyPack: &apitype.AppPolicyPackMetadata{Name: packName, Version: 1, VersionTag: "0.0.1", Config: mandatory},
	}}))
	group, err := admin.GetPolicyGroup(ctx, org, groupName)
	c.decoded("GetPolicyGroup", group, err)
	expect("group", fmt.Sprint(group.Name, " ", group.IsOrgDefault, " ", group.EntityType, " ", group.Mode, " ", group.Stacks, " ", len(group.Accounts)),
		fmt.Sprint(groupName, " false stacks preventative [{", stack, " ", project, "}] 0"))
	expect("applied packs", len(group.AppliedPolicyPacks), 1)
	applied := group.AppliedPolicyPacks[0]
	expect("applied pack", fmt.Sprint(applied.Name, " ", applied.DisplayName, " ", applied.Version, " ", applied.VersionTag, " ", rawText(applied.Config["all"])),
		packName+` SDK pack 1 0.0.1 {"enforcementLevel":"mandatory"}`)

	// A batch: new config for the pack, then a new name.
	c.call("BatchUpdatePolicyGroup", admin.BatchUpdatePolicyGroup(ctx, org, groupName, []apitype.UpdatePolicyGroupRequest{
		{AppUpdatePolicyGroupRequest: apitype.AppUpdatePolicyGroupRequest{AddPolicyPack: &apitype.AppPolicyPackMetadata{Name: packName, Version: 1, VersionTag: "0.0.1", Config: map[string]*json.RawMessage{
			"all": rawJSON(`{"enforcementLevel":"mandatory"}`), "no-public": rawJSON(`{"allowed":["sdk-bucket"]}`),
		}}}},
		{AppUpdatePolicyGroupRequest: apitype.AppUpdatePolicyGroupRequest{NewName: &renamed}},
	}))
	_, err = admin.GetPolicyGroup(ctx, org, groupName)
	c.refused("GetPolicyGroup", 404, err)
	group, err = admin.GetPolicyGroup(ctx, org, renamed)
	c.decoded("GetPolicyGroup", group, err)
	expect("renamed group's pack config", fmt.Sprint(group.Name, " ", len(group.AppliedPolicyPacks), " ", rawText(group.AppliedPolicyPacks[0].Config["no-public"])),
		renamed+` 1 {"allowed":["sdk-bucket"]}`)
	groups, err = admin.ListPolicyGroups(ctx, org)
	c.decoded("ListPolicyGroups", groups, err)
	expect("renamed group", groupSummaryText(findGroup(groups, renamed)), "false stacks preventative 1 stacks 1 packs")

	// Applied now: the pack reads so, and neither it nor the applied version may be deleted.
	first, err = admin.GetPolicyPack(ctx, org, packName, "0.0.1")
	c.decoded("GetPolicyPack", first, err)
	expect("0.0.1 applied", first.Applied, true)
	c.refused("DeletePolicyPackVersion", 409, admin.DeletePolicyPackVersion(ctx, org, packName, "0.0.1"))
	c.refused("DeletePolicyPack_orgs_policypacks", 400, admin.DeletePolicyPack_orgs_policypacks(ctx, org, packName))

	// The stack's groups and the packs it must run, downloaded as uploaded.
	stackGroups, err := admin.GetStackPolicyGroups(ctx, org, project, stack)
	c.decoded("GetStackPolicyGroups", stackGroups, err)
	var names []string
	for _, g := range stackGroups.PolicyGroups {
		names = append(names, g.Name)
	}
	expect("the stack's groups", names, []string{"default-policy-group", renamed})
	required, err := admin.GetStackPolicyPacks(ctx, org, project, stack, nil)
	c.decoded("GetStackPolicyPacks", required, err)
	expect("required packs", len(required.RequiredPolicies), 1)
	requiredPack := required.RequiredPolicies[0]
	expect("required pack", fmt.Sprint(requiredPack.Name, " ", requiredPack.Version, " ", requiredPack.VersionTag, " ", requiredPack.DisplayName, " ", rawText(requiredPack.Config["all"])),
		packName+` 1 0.0.1 SDK pack {"enforcementLevel":"mandatory"}`)
	status, archive := plainRequest("GET", requiredPack.PackLocation, nil, nil)
	if status != http.StatusOK || !bytes.Equal(archive, archives["0.0.1"]) {
		fail("GET packLocation %s: HTTP %d, %d bytes, want 200 and the %d bytes uploaded", requiredPack.PackLocation, status, len(archive), len(archives["0.0.1"]))
	}
	audit := apitype.PolicyGroupModeAudit
	auditPacks, err := admin.GetStackPolicyPacks(ctx, org, project, stack, &audit)
	c.decoded("GetStackPolicyPacks", auditPacks, err)
	expect("audit packs", len(auditPacks.RequiredPolicies), 0)

	// An update that is told to run the pack and reports one mandatory violation.
	resourceURN := fmt.Sprintf("urn:pulumi:%s::%s::aws:s3/bucket:Bucket::public-bucket", stack, project)
	observed := time.Now().Unix()
	update, err := admin.CreateUpdateForUpdate(ctx, org, project, stack, apitype.AppUpdateProgramRequest{
		Name: project, Runtime: "nodejs", Config: map[string]apitype.AppConfigValue{}, Metadata: apitype.AppUpdateMetadata{Message: "sdk policy", Environment: map[string]string{}},
	})
	c.decoded("CreateUpdateForUpdate", update, err)
	if len(update.RequiredPolicies) != 1 || update.RequiredPolicies[0].Name != packName || update.RequiredPolicies[0].PackLocation == "" {
		fail("CreateUpdateForUpdate: requiredPolicies does not name %s with a packLocation: %s", packName, c.lastBody)
	}
	started, err := admin.StartUpdateForUpdate(ctx, org, project, stack, update.UpdateID, apitype.AppStartUpdateRequest{})
	c.decoded("StartUpdateForUpdate", started, err)
	lease := c.lease(started.Token)
	c.call("RecordEngineEventBatch_update", lease.RecordEngineEventBatch_update(ctx, org, project, stack, update.UpdateID, apitype.AppEngineEventBatch{Events: []apitype.AppEngineEvent{
		{Sequence: 0, Timestamp: int(observed), PolicyLoadEvent: &apitype.AppPolicyLoadEvent{}},
		{Sequence: 1, Timestamp: int(observed), PolicyEvent: &apitype.AppPolicyEvent{
			ResourceURN: resourceURN, Message: "<{%reset%}>Buckets must not be public.\npublic-bucket is public.<{%reset%}>\n", Color: "raw",
			PolicyName: "no-public", PolicyPackName: packName, PolicyPackVersion: "0.0.1", PolicyPackVersionTag: "0.0.1", EnforcementLevel: "mandatory", Severity: "high",
		}},
	}}))
	c.call("CompleteUpdate_update", lease.CompleteUpdate_update(ctx, org, project, stack, update.UpdateID, apitype.AppCompleteUpdateRequest{Status: "failed"}))

	violations, err := admin.ListPolicyViolationsV2(ctx, org)
	c.decoded("ListPolicyViolationsV2", violations, err)
	var violation *apitype.PolicyViolationV2
	for i, v := range violations.PolicyViolations {
		if v.StackName != nil && *v.StackName == stack {
			if violation != nil {
				fail("ListPolicyViolationsV2: two violations of %s: %s", stack, c.lastBody)
			}
			violation = &violations.PolicyViolations[i]
		}
	}
	if violation == nil {
		fail("ListPolicyViolationsV2: no violation of %s: %s", stack, c.lastBody)
	}
	nonEmpty("violation id", violation.ID)
	expect("violation", fmt.Sprint(violation.ProjectName, " ", violation.PolicyPack, " ", violation.PolicyPackTag, " ", violation.PolicyName, " ", violation.Level, " ", violation.Kind),
		project+" "+packName+" 0.0.1 no-public mandatory preventative")
	expect("violation's resource", fmt.Sprint(violation.ResourceURN, " ", violation.ResourceType, " ", violation.ResourceName), resourceURN+" aws:s3/bucket:Bucket public-bucket")
	expect("violation's message", violation.Message, "Buckets must not be public.\npublic-bucket is public.\n")
	if violation.ObservedAt == nil || !violation.ObservedAt.Equal(time.Unix(observed, 0)) {
		fail("ListPolicyViolationsV2: observedAt %v, want %v", violation.ObservedAt, time.Unix(observed, 0).UTC())
	}
	if violation.StackVersion == nil || *violation.StackVersion != started.Version {
		fail("ListPolicyViolationsV2: stackVersion %v, want %d", violation.StackVersion, started.Version)
	}
	if violations.ContinuationToken == nil || *violations.ContinuationToken != "" {
		fail("ListPolicyViolationsV2: the only page has continuationToken %v, want \"\"", violations.ContinuationToken)
	}

	// The export, of the stack's issues only (the grid's filter, as the SDK types it).
	exported, err := admin.ExportPolicyIssues(ctx, org, nil, apitype.AngularGridGetRowsRequest{FilterModel: issueFilter("entityId", stack)})
	c.call("ExportPolicyIssues", err)
	records, err := csv.NewReader(strings.NewReader(*exported)).ReadAll()
	if err != nil {
		fail("ExportPolicyIssues: not CSV: %v in %s", err, *exported)
	}
	header := records[0]
	column := func(record []string, name string) string {
		i := slices.Index(header, name)
		if i < 0 {
			fail("ExportPolicyIssues: no %s column in %v", name, header)
		}
		return record[i]
	}
	var exportedRows []string
	for _, record := range records[1:] {
		exportedRows = append(exportedRows, strings.Join([]string{column(record, "id"), column(record, "entityId"), column(record, "entityProject"), column(record, "policyPack"),
			column(record, "policyName"), column(record, "level"), column(record, "resourceURN"), column(record, "status")}, " "))
	}
	expect("exported issues of the stack", exportedRows, []string{strings.Join([]string{violation.ID, stack, project, packName, "no-public", "mandatory", resourceURN, "open"}, " ")})

	checkPolicyIssues(c, admin, org, stack, violation.ID)

	// Disabled in the group, the pack is no longer applied; the group goes, then the versions.
	c.call("UpdatePolicyGroup", admin.UpdatePolicyGroup(ctx, org, renamed, apitype.UpdatePolicyGroupRequest{AppUpdatePolicyGroupRequest: apitype.AppUpdatePolicyGroupRequest{
		RemovePolicyPack: &apitype.AppPolicyPackMetadata{Name: packName, Version: 1, VersionTag: "0.0.1"},
	}}))
	first, err = admin.GetPolicyPack(ctx, org, packName, "0.0.1")
	c.decoded("GetPolicyPack", first, err)
	expect("0.0.1 applied once disabled", first.Applied, false)
	c.refused("DeletePolicyGroup", 400, admin.DeletePolicyGroup(ctx, org, "default-policy-group"))
	c.call("DeletePolicyGroup", admin.DeletePolicyGroup(ctx, org, renamed))
	_, err = admin.GetPolicyGroup(ctx, org, renamed)
	c.refused("GetPolicyGroup", 404, err)

	c.call("DeletePolicyPackVersion", admin.DeletePolicyPackVersion(ctx, org, packName, "0.0.2"))
	packs, err = admin.ListPolicyPacks_orgs(ctx, org, &packName)
	c.decoded("ListPolicyPacks_orgs", packs, err)
	expect("versions left", fmt.Sprint(len(packs.PolicyPacks), " ", packs.PolicyPacks[0].Versions, " ", packs.PolicyPacks[0].VersionTags), "1 [1] [0.0.1]")
	c.call("DeletePolicyPack_orgs_policypacks", admin.DeletePolicyPack_orgs_policypacks(ctx, org, packName))
	packs, err = admin.ListPolicyPacks_orgs(ctx, org, &packName)
	c.decoded("ListPolicyPacks_orgs", packs, err)
	expect("packs left", len(packs.PolicyPacks), 0)
	_, err = admin.GetPolicyPack(ctx, org, packName, "0.0.1")
	c.refused("GetPolicyPack", 404, err)
}

// checkPolicyIssues reads the violation as a policy issue, in the grid unfiltered and filtered and
// by id, triages it (refused a status only the server sets) and reads the organization's policy
// protection.
func checkPolicyIssues(c *check, admin *apiclient.CloudClient, org, stack, id string) {
	ctx := c.ctx
	open, err := admin.ListPolicyIssues(ctx, org, nil, apitype.AngularGridGetRowsRequest{StartRow: 0, EndRow: 100})
	c.decoded("ListPolicyIssues", open, err)
	issue := findIssue(open.PolicyIssues, id)
	if issue == nil {
		fail("ListPolicyIssues: issue %s is not listed: %s", id, c.lastBody)
	}
	if open.RowCount == nil || *open.RowCount < 1 {
		fail("ListPolicyIssues: rowCount %v", open.RowCount)
	}
	expect("issue", fmt.Sprint(issue.EntityType, " ", issue.EntityID, " ", issue.PolicyName, " ", issue.Level, " ", issue.Severity, " ", issue.Status, " ", issue.Kind, " ", issue.Priority, " ", issue.ResourceProvider),
		"stack "+stack+" no-public mandatory high open preventative p1 aws")

	// Filtered by the grid's model: the stack and its policy (then a policy it did not break), newest first.
	newest := []apitype.AngularGridSortModelItem{{ColID: "observedAt", Sort: "desc"}}
	filtered, err := admin.ListPolicyIssues(ctx, org, nil, apitype.AngularGridGetRowsRequest{EndRow: 10, SortModel: newest, FilterModel: issueFilter("entityId", stack, "policyName", "no-public")})
	c.decoded("ListPolicyIssues", filtered, err)
	if len(filtered.PolicyIssues) != 1 || filtered.PolicyIssues[0].ID != id || filtered.RowCount == nil || *filtered.RowCount != 1 {
		fail("ListPolicyIssues: filtered by stack and policy, want issue %s alone: %s", id, c.lastBody)
	}
	none, err := admin.ListPolicyIssues(ctx, org, nil, apitype.AngularGridGetRowsRequest{EndRow: 10, FilterModel: issueFilter("entityId", stack, "policyName", "tagged")})
	c.decoded("ListPolicyIssues", none, err)
	if len(none.PolicyIssues) != 0 || none.RowCount == nil || *none.RowCount != 0 {
		fail("ListPolicyIssues: the stack broke no policy 'tagged': %s", c.lastBody)
	}

	got, err := admin.GetPolicyIssue(ctx, org, id)
	c.decoded("GetPolicyIssue", got, err)
	expect("read issue", fmt.Sprint(got.PolicyIssue.ID, " ", got.PolicyIssue.ResourceName), id+" public-bucket")
	if got.Policy == nil || got.Policy.Name != "no-public" {
		fail("GetPolicyIssue: the issue's policy is not no-public: %s", c.lastBody)
	}

	ignored, p3 := apitype.PolicyIssueStatusIgnored, apitype.PolicyIssuePriorityP3
	triaged, err := admin.UpdatePolicyIssue(ctx, org, id, apitype.UpdatePolicyIssueRequest{Status: &ignored, Priority: &p3})
	c.decoded("UpdatePolicyIssue", triaged, err)
	expect("triaged issue", fmt.Sprint(triaged.PolicyIssue.Status, " ", triaged.PolicyIssue.Priority), "ignored p3")
	fixed := apitype.PolicyIssueStatusFixed
	_, err = admin.UpdatePolicyIssue(ctx, org, id, apitype.UpdatePolicyIssueRequest{Status: &fixed})
	c.refused("UpdatePolicyIssue", 400, err)
	closed := true
	done, err := admin.ListPolicyIssues(ctx, org, &closed, apitype.AngularGridGetRowsRequest{EndRow: 100})
	c.decoded("ListPolicyIssues", done, err)
	if findIssue(done.PolicyIssues, id) == nil {
		fail("ListPolicyIssues: the ignored issue %s is not among the closed ones: %s", id, c.lastBody)
	}

	metadata, err := admin.GetPolicyGroupMetadata(ctx, org)
	c.decoded("GetPolicyGroupMetadata", metadata, err)
	if metadata.TotalStacks < 1 || metadata.ProtectedStacks != metadata.TotalStacks || metadata.PreventativeStacks != metadata.TotalStacks || metadata.AuditStacks != 0 || metadata.TotalAccounts != 0 {
		fail("GetPolicyGroupMetadata: every stack is in the preventative default group, none in an audit group: %s", c.lastBody)
	}
}

func policyPackRequest(name, tag string) apitype.AppCreatePolicyPackRequest {
	return apitype.AppCreatePolicyPackRequest{
		Name: name, DisplayName: "SDK pack", VersionTag: tag, Description: "Published by the SDK check", Runtime: "nodejs",
		Policies: []apitype.AppPolicy{
			{
				Name: "no-public", DisplayName: "No public buckets", Description: "Buckets must not be public.", EnforcementLevel: apitype.AppEnforcementLevelAdvisory,
				Severity: apitype.AppPolicySeverityHigh, Tags: []string{"security"},
				ConfigSchema: &apitype.AppPolicyConfigSchema{Type: apitype.AppJSONSchemaTypeObject, Properties: map[string]*json.RawMessage{
					"allowed":          rawJSON(`{"type":"array","items":{"type":"string"}}`),
					"enforcementLevel": rawJSON(`{"type":"string","enum":["advisory","mandatory","remediate","disabled"]}`),
				}},
			},
			{Name: "tagged", Description: "Resources carry tags.", EnforcementLevel: apitype.AppEnforcementLevelMandatory},
		},
	}
}

// plainRequest is a request without the SDK and without Authorization, as the CLI uploads and
// downloads pack archives at their signed URLs.
func plainRequest(method, url string, body []byte, headers map[string]string) (int, []byte) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		fail("%s %s: %v", method, url, err)
	}
	for name, value := range headers {
		req.Header.Add(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		fail("%s %s: %v", method, url, err)
	}
	return resp.StatusCode, answer
}

func gzipped(text string) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write([]byte(text))
	_ = w.Close()
	return buf.Bytes()
}

func rawJSON(text string) *json.RawMessage {
	raw := json.RawMessage(text)
	return &raw
}

func rawText(raw *json.RawMessage) string {
	if raw == nil {
		return "<none>"
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, *raw); err != nil {
		return string(*raw)
	}
	return compact.String()
}

func findGroup(groups *apitype.AppListPolicyGroupsResponse, name string) *apitype.AppPolicyGroupSummary {
	for i := range groups.PolicyGroups {
		if groups.PolicyGroups[i].Name == name {
			return &groups.PolicyGroups[i]
		}
	}
	fail("ListPolicyGroups: no group %s", name)
	return nil
}

func groupSummaryText(g *apitype.AppPolicyGroupSummary) string {
	return fmt.Sprint(g.IsOrgDefault, " ", g.EntityType, " ", g.Mode, " ", g.NumStacks, " stacks ", g.NumEnabledPolicyPacks, " packs")
}

// issueFilter is the grid's filter model of `column equals value` conditions joined by AND.
func issueFilter(columnsAndValues ...string) *apitype.AngularGridAdvancedFilterModel {
	model := &apitype.AngularGridAdvancedFilterModel{Type: "AND"}
	for i := 0; i+1 < len(columnsAndValues); i += 2 {
		model.Conditions = append(model.Conditions, apitype.AngularGridFilterModel{ColID: columnsAndValues[i], FilterType: "text", Type: "equals", Filter: columnsAndValues[i+1]})
	}
	return model
}

func findIssue(issues []apitype.PolicyIssue, id string) *apitype.PolicyIssue {
	for i := range issues {
		if issues[i].ID == id {
			return &issues[i]
		}
	}
	return nil
}
