package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
	"github.com/pulumi/pulumi-cloud-sdk/go/apitype/jsonvalue"
)

// checkDeployments drives deployments through the SDK's typed methods, as the console, the CLI
// (`pulumi deployment …`, `pulumi up --remote`) and a runner do: a runner pool made, read (without
// its token), renamed; a stack's deployment settings written (a secret variable, a secret encrypted
// ahead, the pool), read, patched and deleted; a deployment queued (202), read by id and version,
// listed for the stack and the organization, held while the stack and then the organization are
// paused, claimed by a runner of the pool (poll, status), run (steps, logs and a stack update with
// its job token, through Stackyard's own runner endpoints), read with its jobs, logs in both modes
// and updates, and completed; a second deployment, of the default pool, cancelled while queued;
// the counts of the organization; and the pool deleted, refused first while settings name it.
func checkDeployments(c *check, adminToken, org string) {
	admin := c.client(adminToken)
	ctx := c.ctx
	suffix := time.Now().UnixNano()
	project, stack := "sdkdeploy", fmt.Sprintf("dep-%d", suffix)
	created, err := admin.CreateStack(ctx, org, project, apitype.AppCreateStackRequest{StackName: stack})
	c.decoded("CreateStack", created, err)

	// A runner pool: its token answered once, never read back.
	poolName := fmt.Sprintf("sdk-pool-%d", suffix)
	pool, err := admin.CreateOrgAgentPool(ctx, org, apitype.CreateOrgAgentPoolRequest{Name: poolName, Description: "made by the SDK check"})
	c.decoded("CreateOrgAgentPool", pool, err)
	nonEmpty("pool id", pool.ID)
	if !strings.HasPrefix(pool.TokenValue, "pul-") {
		fail("CreateOrgAgentPool: tokenValue %q is not an access token", pool.TokenValue)
	}
	detail, err := admin.GetAgentPool(ctx, org, pool.ID)
	c.decoded("GetAgentPool", detail, err)
	expect("pool", fmt.Sprint(detail.ID, " ", detail.Name, " ", detail.Description, " ", len(detail.Agents)), pool.ID+" "+poolName+" made by the SDK check 0")
	if created := time.UnixMilli(detail.Created); time.Since(created) > time.Hour || time.Until(created) > time.Minute {
		fail("GetAgentPool: created %d is not a time in milliseconds of now", detail.Created)
	}
	noToken("GetAgentPool", c.lastBody, pool.TokenValue)
	c.refused("GetAgentPool", 404, errOf(admin.GetAgentPool(ctx, org, "no-such-pool")))
	renamedPool := poolName + "-renamed"
	patched, err := admin.PatchOrgAgentPool(ctx, org, pool.ID, apitype.CreateOrgAgentPoolRequest{Name: renamedPool, Description: "renamed by the SDK check"})
	c.decoded("PatchOrgAgentPool", patched, err)
	expect("patched pool", patched.Name+" / "+patched.Description, renamedPool+" / renamed by the SDK check")
	pools, err := admin.ListOrgAgentPool(ctx, org)
	c.decoded("ListOrgAgentPool", pools, err)
	listed := findPool(pools, pool.ID)
	expect("listed pool", fmt.Sprint(listed.Name, " ", listed.Description, " ", listed.Status, " ", listed.IsDefault, " ", listed.LastSeen, " ", listed.LastDeployment), renamedPool+" renamed by the SDK check offline false 0 <nil>")
	noToken("ListOrgAgentPool", c.lastBody, pool.TokenValue)

	// Settings: none yet; then written with a plain, a secret and an encrypted-ahead variable and the pool.
	_, err = admin.GetDeploymentSettings(ctx, org, project, stack)
	c.refused("GetDeploymentSettings", 404, err)
	encrypted, err := admin.EncryptDeploymentSettingsSecret(ctx, org, project, stack, apitype.SecretValue{Value: "ahead", Secret: true})
	c.decoded("EncryptDeploymentSettingsSecret", encrypted, err)
	if !encrypted.Secret || len(encrypted.Ciphertext) == 0 || encrypted.Value != "" {
		fail("EncryptDeploymentSettingsSecret: want a ciphertext alone, got %s", c.lastBody)
	}
	_, err = admin.EncryptDeploymentSettingsSecret(ctx, org, project, stack, apitype.SecretValue{Value: "", Secret: true})
	c.refused("EncryptDeploymentSettingsSecret", 400, err)
	settings, err := admin.ReplaceDeploymentSettings(ctx, org, project, stack, apitype.DeploymentSettingsRequest{
		SourceContext: gitSource("file:///srv/sdk.git", "refs/heads/main"),
		Operation: jsonvalue.NotNull(apitype.OperationContextRequest{EnvironmentVariables: jsonvalue.NotNull(map[string]jsonvalue.Value[apitype.SecretValue]{
			"A": jsonvalue.NotNull(apitype.SecretValue{Value: "x"}),
			"B": jsonvalue.NotNull(apitype.SecretValue{Value: "y", Secret: true}),
			"C": jsonvalue.NotNull(apitype.SecretValue{Ciphertext: encrypted.Ciphertext, Secret: true}),
		})}),
		AgentPoolID: jsonvalue.NotNull(pool.ID),
	})
	c.decoded("ReplaceDeploymentSettings", settings, err)
	expect("written settings", settingsText(settings), "1 api file:///srv/sdk.git refs/heads/main "+pool.ID+" A=x B=secret C=secret")
	secretB := settings.Operation.EnvironmentVariables["B"].Ciphertext
	if got := settings.Operation.EnvironmentVariables["C"].Ciphertext; string(got) != string(encrypted.Ciphertext) {
		fail("ReplaceDeploymentSettings: C's ciphertext changed from the one encrypted ahead: %s", c.lastBody)
	}
	if strings.Contains(string(c.lastBody), `"y"`) || strings.Contains(string(c.lastBody), "ahead") {
		fail("ReplaceDeploymentSettings: a secret's plaintext is in the answer: %s", c.lastBody)
	}
	read, err := admin.GetDeploymentSettings(ctx, org, project, stack)
	c.decoded("GetDeploymentSettings", read, err)
	expect("read settings", settingsText(read), "1 api file:///srv/sdk.git refs/heads/main "+pool.ID+" A=x B=secret C=secret")
	// A merge patch: A removed (null), D added, the branch changed; B's ciphertext kept as it was.
	merged, err := admin.PatchDeploymentSettings(ctx, org, project, stack, apitype.DeploymentSettingsRequest{
		SourceContext: gitSource("", "refs/heads/release"),
		Operation: jsonvalue.NotNull(apitype.OperationContextRequest{EnvironmentVariables: jsonvalue.NotNull(map[string]jsonvalue.Value[apitype.SecretValue]{
			"A": jsonvalue.Null[apitype.SecretValue](),
			"D": jsonvalue.NotNull(apitype.SecretValue{Value: "d"}),
		})}),
	})
	c.decoded("PatchDeploymentSettings", merged, err)
	expect("patched settings", settingsText(merged), "2 api file:///srv/sdk.git refs/heads/release "+pool.ID+" B=secret C=secret D=d")
	if string(merged.Operation.EnvironmentVariables["B"].Ciphertext) != string(secretB) {
		fail("PatchDeploymentSettings: B's ciphertext changed although the patch left it alone: %s", c.lastBody)
	}
	_, err = admin.PatchDeploymentSettings(ctx, org, project, stack, apitype.DeploymentSettingsRequest{AgentPoolID: jsonvalue.NotNull("no-such-pool")})
	c.refused("PatchDeploymentSettings", 400, err)

	// Nothing queued: the pool's runner finds nothing; a request without an operation is refused.
	runner := c.client(pool.TokenValue)
	runnerHeaders := http.Header{"X-Stackyard-Runner-Id": {fmt.Sprintf("sdk-runner-%d", suffix)}, "X-Stackyard-Runner-Hostname": {"sdk-host"}, "X-Stackyard-Runner-Pid": {"4242"},
		"X-Stackyard-Runner-Version": {"sdk-check"}, "X-Stackyard-Runner-Platform": {"linux/amd64"}}
	_, err = runner.PollDeploymentsQueue(ctx, runnerHeaders)
	c.refused("PollDeploymentsQueue", 204, err)
	_, err = admin.PollDeploymentsQueue(ctx)
	c.refused("PollDeploymentsQueue", 401, err)
	_, err = admin.CreateAPIDeploymentHandlerV2(ctx, org, project, stack, apitype.CreateDeploymentRequest{})
	c.refused("CreateAPIDeploymentHandlerV2", 400, err)
	orgBefore, err := admin.OrgDeploymentsMetadata(ctx, org)
	c.decoded("OrgDeploymentsMetadata", orgBefore, err)

	// A deployment of the stack's settings, queued as the Automation API asks for one.
	queued, err := admin.CreateAPIDeploymentHandlerV2(ctx, org, project, stack, apitype.CreateDeploymentRequest{Op: apitype.PulumiOperationUpdate},
		http.Header{"X-Pulumi-Deployment-Initiator": {"automation-api"}})
	c.decoded("CreateAPIDeploymentHandlerV2", queued, err)
	nonEmpty("deployment id", queued.ID)
	expect("first deployment's version", queued.Version, 1)
	if !strings.HasPrefix(queued.ConsoleURL, c.baseURL+"/") || !strings.HasSuffix(queued.ConsoleURL, fmt.Sprintf("/%s/%s/%s/deployments/1", org, project, stack)) {
		fail("CreateAPIDeploymentHandlerV2: consoleUrl %q is not the deployment's page on the server", queued.ConsoleURL)
	}
	got, err := admin.GetDeployment(ctx, org, project, stack, queued.ID)
	c.decoded("GetDeployment", got, err)
	expect("queued deployment", deploymentText(got), fmt.Sprintf("%s 1 1 not-started update automation-api 0 jobs", queued.ID))
	expect("queued deployment's configuration", configurationText(got.Configuration), "file:///srv/sdk.git refs/heads/release B=secret C=secret D=d")
	nonEmpty("requestedBy.githubLogin", got.RequestedBy.GitHubLogin)
	for _, when := range []string{got.Created, got.Modified} {
		at, err := time.Parse("2006-01-02 15:04:05.000", when)
		if err != nil || time.Since(at) > time.Hour || time.Until(at) > time.Minute {
			fail("GetDeployment: created/modified %q is not the service's time of now (%v)", when, err)
		}
	}
	byVersion, err := admin.GetDeployment_version(ctx, org, project, stack, "1")
	c.decoded("GetDeployment_version", byVersion, err)
	expect("deployment 1 by version", byVersion.ID, queued.ID)
	_, err = admin.GetDeployment_version(ctx, org, project, stack, "9")
	c.refused("GetDeployment_version", 404, err)
	_, err = admin.GetDeployment(ctx, org, project, stack, "no-such-deployment")
	c.refused("GetDeployment", 404, err)
	stackList, err := admin.ListStackDeploymentsHandlerV2(ctx, org, project, stack, nil, nil, nil, nil)
	c.decoded("ListStackDeploymentsHandlerV2", stackList, err)
	expect("the stack's deployments", fmt.Sprint(stackList.Total, " ", len(stackList.Deployments)), "1 1")
	entry := stackList.Deployments[0]
	expect("listed deployment", fmt.Sprint(entry.ID, " ", entry.Version, " ", entry.Status, " ", entry.PulumiOperation, " ", entry.ProjectName, "/", entry.StackName, " ", len(entry.Jobs), " ", len(entry.Updates), " ", poolText(entry.AgentPool)),
		fmt.Sprintf("%s 1 not-started update %s/%s 0 0 %s/%s", queued.ID, project, stack, pool.ID, renamedPool))

	// Paused, for the stack and then for the organization: the runner finds nothing to claim.
	metadata, err := admin.StackDeploymentsMetadata(ctx, org, project, stack)
	c.decoded("StackDeploymentsMetadata", metadata, err)
	expect("stack metadata", stackMetadataText(metadata), "false false false false")
	c.call("PauseStackDeployments", admin.PauseStackDeployments(ctx, org, project, stack))
	metadata, err = admin.StackDeploymentsMetadata(ctx, org, project, stack)
	c.decoded("StackDeploymentsMetadata", metadata, err)
	expect("stack metadata, the stack paused", stackMetadataText(metadata), "true true false false")
	_, err = runner.PollDeploymentsQueue(ctx, runnerHeaders)
	c.refused("PollDeploymentsQueue", 204, err)
	c.call("ResumeStackDeployments", admin.ResumeStackDeployments(ctx, org, project, stack))
	c.call("PauseOrgDeployments", admin.PauseOrgDeployments(ctx, org))
	metadata, err = admin.StackDeploymentsMetadata(ctx, org, project, stack)
	c.decoded("StackDeploymentsMetadata", metadata, err)
	expect("stack metadata, the organization paused", stackMetadataText(metadata), "true false true false")
	orgPaused, err := admin.OrgDeploymentsMetadata(ctx, org)
	c.decoded("OrgDeploymentsMetadata", orgPaused, err)
	expect("organization paused", orgPaused.Paused, true)
	_, err = runner.PollDeploymentsQueue(ctx, runnerHeaders)
	c.refused("PollDeploymentsQueue", 204, err)
	c.call("ResumeOrgDeployments", admin.ResumeOrgDeployments(ctx, org))
	metadata, err = admin.StackDeploymentsMetadata(ctx, org, project, stack)
	c.decoded("StackDeploymentsMetadata", metadata, err)
	expect("stack metadata, resumed", stackMetadataText(metadata), "false false false false")

	// Claimed by the pool's runner, which the pool then shows online.
	work, err := runner.PollDeploymentsQueue(ctx, runnerHeaders)
	c.decoded("PollDeploymentsQueue", work, err)
	expect("claimed work", fmt.Sprint(work.TypeSpecificID, " ", work.DeploymentID, " ", work.JobID, " ", work.RunID, " ", work.OidcToken == ""), strings.Repeat(queued.ID+" ", 4)+"true")
	nonEmpty("jobToken", work.JobToken)
	status, err := runner.GetDeploymentsStatus(ctx, queued.ID)
	c.decoded("GetDeploymentsStatus", status, err)
	expect("status once claimed", *status, apitype.JobStatusAccepted)
	_, err = runner.GetDeploymentsStatus(ctx, "no-such-deployment")
	c.refused("GetDeploymentsStatus", 404, err)
	_, err = runner.PollDeploymentsQueue(ctx, runnerHeaders)
	c.refused("PollDeploymentsQueue", 204, err)
	detail, err = admin.GetAgentPool(ctx, org, pool.ID)
	c.decoded("GetAgentPool", detail, err)
	if len(detail.Agents) != 1 {
		fail("GetAgentPool: want the one runner that polled: %s", c.lastBody)
	}
	agent := detail.Agents[0]
	expect("the pool's runner", fmt.Sprint(agent.Hostname, " ", agent.PID, " ", agent.Version, " ", agent.Platform, " ", agent.Status), "sdk-host 4242 sdk-check linux/amd64 online")
	if time.Since(time.UnixMilli(agent.LastSeen)) > time.Minute {
		fail("GetAgentPool: the runner's lastSeen %d is not now in milliseconds", agent.LastSeen)
	}
	noToken("GetAgentPool", c.lastBody, pool.TokenValue)
	pools, err = admin.ListOrgAgentPool(ctx, org)
	c.decoded("ListOrgAgentPool", pools, err)
	listed = findPool(pools, pool.ID)
	if listed.Status != apitype.DeploymentAgentStatusOnline || listed.LastDeployment == nil || time.Since(time.UnixMilli(*listed.LastDeployment)) > time.Minute {
		fail("ListOrgAgentPool: the pool that just took a deployment is not online with a lastDeployment of now: %s", c.lastBody)
	}

	// The run, as the runner reports it with the job token: steps, logs, and the stack update.
	job := func(path string, body string) {
		status, answer := plainRequest("POST", fmt.Sprintf("%s/api/deployments/%s/%s", c.baseURL, queued.ID, path), []byte(body),
			map[string]string{"Authorization": "token " + work.JobToken, "Content-Type": "application/json"})
		if status != http.StatusNoContent {
			fail("POST /api/deployments/%s/%s: HTTP %d: %s", queued.ID, path, status, answer)
		}
	}
	job("steps/0", `{"status":"running"}`)
	job("logs", `{"step":0,"lines":[{"timestamp":"2026-12-06T08:00:00.000Z","line":"Cloning file:///srv/sdk.git"},{"timestamp":"2026-12-06T08:00:01.000Z","line":"Checked out refs/heads/release"}]}`)
	job("steps/0", `{"status":"succeeded"}`)
	job("steps/1", `{"status":"running"}`)
	job("logs", `{"step":1,"lines":[{"line":"npm ci"}]}`)
	job("steps/1", `{"status":"succeeded"}`)
	job("steps/2", `{"status":"running"}`)
	job("logs", `{"step":2,"lines":[{"line":"Updating (sdk)"}]}`)
	status, err = runner.GetDeploymentsStatus(ctx, queued.ID)
	c.decoded("GetDeploymentsStatus", status, err)
	expect("status once running", *status, apitype.JobStatusRunning)
	deployer := c.client(work.JobToken)
	update, err := deployer.CreateUpdateForUpdate(ctx, org, project, stack, apitype.AppUpdateProgramRequest{
		Name: project, Runtime: "nodejs", Config: map[string]apitype.AppConfigValue{}, Metadata: apitype.AppUpdateMetadata{Message: "sdk deployment", Environment: map[string]string{"ci.build.id": queued.ID}},
	})
	c.decoded("CreateUpdateForUpdate", update, err)
	started, err := deployer.StartUpdateForUpdate(ctx, org, project, stack, update.UpdateID, apitype.AppStartUpdateRequest{})
	c.decoded("StartUpdateForUpdate", started, err)
	c.call("CompleteUpdate_update", c.lease(started.Token).CompleteUpdate_update(ctx, org, project, stack, update.UpdateID, apitype.AppCompleteUpdateRequest{Status: "succeeded"}))

	running, err := admin.GetDeployment(ctx, org, project, stack, queued.ID)
	c.decoded("GetDeployment", running, err)
	expect("running deployment", deploymentText(running), fmt.Sprintf("%s 1 1 running update automation-api 1 jobs", queued.ID))
	expect("running deployment's steps", stepsText(running.Jobs[0]), "running: Get source=succeeded Install dependencies=succeeded pulumi update=running")
	if running.Jobs[0].Started == nil || time.Since(*running.Jobs[0].Started) > time.Hour || running.Jobs[0].Steps[2].Started == nil || running.Jobs[0].Steps[2].Started.IsZero() {
		fail("GetDeployment: the job's and the running step's start times are not times of now: %s", c.lastBody)
	}

	// Logs, streamed: a header for each step, then its lines; the same token while nothing is new.
	logs, err := admin.GetDeploymentLogs(ctx, org, project, stack, queued.ID, nil, nil, nil, nil, nil)
	c.decoded("GetDeploymentLogs", logs, err)
	stream := streamed("GetDeploymentLogs", logs, c.lastBody)
	expect("streamed logs", logText(stream.Lines()),
		"[Get source] Cloning file:///srv/sdk.git|Checked out refs/heads/release|[Install dependencies] npm ci|[pulumi update] Updating (sdk)")
	if !stream.Lines()[1].Timestamp.Equal(time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)) {
		fail("GetDeploymentLogs: the first line's timestamp %v is not the one the runner sent", stream.Lines()[1].Timestamp)
	}
	token := stream.NextToken()
	nonEmpty("nextToken of a running deployment", token)
	logs, err = admin.GetDeploymentLogs(ctx, org, project, stack, queued.ID, &token, nil, nil, nil, nil)
	c.decoded("GetDeploymentLogs", logs, err)
	again := streamed("GetDeploymentLogs", logs, c.lastBody)
	expect("logs with nothing new", fmt.Sprint(len(again.Lines()), " ", again.NextToken() == token), "0 true")
	// One step's lines, by job, step, offset and count.
	logs, err = admin.GetDeploymentLogs(ctx, org, project, stack, queued.ID, nil, ptr(10), ptr(0), ptr(1), ptr(0))
	c.decoded("GetDeploymentLogs", logs, err)
	stepLogs := ofStep("GetDeploymentLogs", logs, c.lastBody)
	expect("step 0 from line 1", fmt.Sprint(stepLogs.Name(), " ", stepLineText(stepLogs.Lines()), " ", intText(stepLogs.NextOffset())), "Get source [Checked out refs/heads/release] <none>")
	logs, err = admin.GetDeploymentLogs(ctx, org, project, stack, queued.ID, nil, ptr(10), ptr(0), ptr(0), ptr(2))
	c.decoded("GetDeploymentLogs", logs, err)
	stepLogs = ofStep("GetDeploymentLogs", logs, c.lastBody)
	expect("running step 2", fmt.Sprint(stepLogs.Name(), " ", stepLineText(stepLogs.Lines()), " ", intText(stepLogs.NextOffset())), "pulumi update [Updating (sdk)] 1")
	_, err = admin.GetDeploymentLogs(ctx, org, project, stack, queued.ID, nil, ptr(500), ptr(0), ptr(0), ptr(0))
	c.refused("GetDeploymentLogs", 400, err)

	// The update the run made.
	updates, err := admin.GetDeploymentUpdates(ctx, org, project, stack, queued.ID)
	c.decoded("GetDeploymentUpdates", updates, err)
	if len(*updates) != 1 {
		fail("GetDeploymentUpdates: want the run's one update: %s", c.lastBody)
	}
	made := (*updates)[0]
	expect("the deployment's update", fmt.Sprint(made.UpdateID, " ", made.Version, " ", made.LatestVersion, " ", made.Info.Kind, " ", made.Info.Result, " ", made.Info.Message),
		fmt.Sprintf("%s %d %d update succeeded sdk deployment", update.UpdateID, started.Version, started.Version))

	// Completed by the runner: the job token is spent, and the logs end.
	job("complete", `{"status":"succeeded"}`)
	status, err = runner.GetDeploymentsStatus(ctx, queued.ID)
	c.decoded("GetDeploymentsStatus", status, err)
	expect("status once complete", *status, apitype.JobStatusSucceeded)
	done, err := admin.GetDeployment(ctx, org, project, stack, queued.ID)
	c.decoded("GetDeployment", done, err)
	expect("succeeded deployment's steps", stepsText(done.Jobs[0]), "succeeded: Get source=succeeded Install dependencies=succeeded pulumi update=succeeded")
	logs, err = admin.GetDeploymentLogs(ctx, org, project, stack, queued.ID, &token, nil, nil, nil, nil)
	c.decoded("GetDeploymentLogs", logs, err)
	expect("the logs' last token", streamed("GetDeploymentLogs", logs, c.lastBody).NextToken(), "")
	stackList, err = admin.ListStackDeploymentsHandlerV2(ctx, org, project, stack, nil, nil, nil, nil)
	c.decoded("ListStackDeploymentsHandlerV2", stackList, err)
	entry = stackList.Deployments[0]
	if len(entry.Updates) != 1 || entry.Updates[0].UpdateID != update.UpdateID || entry.Updates[0].Result != "succeeded" || len(entry.Jobs) != 1 || entry.Status != apitype.JobStatusSucceeded {
		fail("ListStackDeploymentsHandlerV2: the finished deployment does not list its job and its update: %s", c.lastBody)
	}

	// A second deployment, not inheriting the settings: the default pool's, cancelled while queued.
	second, err := admin.CreateAPIDeploymentHandlerV2(ctx, org, project, stack, apitype.CreateDeploymentRequest{
		Op: apitype.PulumiOperationPreview, InheritSettings: ptr(false),
		DeploymentSettingsRequest: apitype.DeploymentSettingsRequest{SourceContext: gitSource("file:///srv/other.git", "refs/heads/main")},
	})
	c.decoded("CreateAPIDeploymentHandlerV2", second, err)
	expect("second deployment's version", second.Version, 2)
	got, err = admin.GetDeployment_version(ctx, org, project, stack, "2")
	c.decoded("GetDeployment_version", got, err)
	expect("second deployment", deploymentText(got), fmt.Sprintf("%s 2 2 not-started preview api 0 jobs", second.ID))
	expect("second deployment's configuration", configurationText(got.Configuration), "file:///srv/other.git refs/heads/main")
	_, err = runner.PollDeploymentsQueue(ctx, runnerHeaders)
	c.refused("PollDeploymentsQueue", 204, err)
	c.call("CancelDeployment", admin.CancelDeployment(ctx, org, project, stack, second.ID))
	c.call("CancelDeployment", admin.CancelDeployment(ctx, org, project, stack, second.ID))
	c.refused("CancelDeployment", 404, admin.CancelDeployment(ctx, org, project, stack, "no-such-deployment"))
	got, err = admin.GetDeployment(ctx, org, project, stack, second.ID)
	c.decoded("GetDeployment", got, err)
	expect("cancelled deployment's status", got.Status, apitype.JobStatusFailed)
	updates, err = admin.GetDeploymentUpdates(ctx, org, project, stack, second.ID)
	c.decoded("GetDeploymentUpdates", updates, err)
	expect("the cancelled deployment's updates", len(*updates), 0)

	// The stack's list, newest first and then a page of one oldest first; the organization's list and counts.
	stackList, err = admin.ListStackDeploymentsHandlerV2(ctx, org, project, stack, nil, nil, nil, nil)
	c.decoded("ListStackDeploymentsHandlerV2", stackList, err)
	expect("the stack's deployments, newest first", listText(stackList), "2 2: 2 failed, 1 succeeded")
	stackList, err = admin.ListStackDeploymentsHandlerV2(ctx, org, project, stack, ptr(true), ptr(1), ptr(1), nil)
	c.decoded("ListStackDeploymentsHandlerV2", stackList, err)
	expect("a page of one, oldest first", listText(stackList), "2 1: 1 succeeded")
	orgList, err := admin.ListOrgDeployments(ctx, org, nil, nil, ptr(100), nil)
	c.decoded("ListOrgDeployments", orgList, err)
	var ours []string
	for _, d := range orgList.Deployments {
		if d.ProjectName == project && d.StackName == stack {
			ours = append(ours, fmt.Sprint(d.ID, " ", d.Status))
		}
	}
	expect("the organization's deployments of the stack", ours, []string{second.ID + " failed", queued.ID + " succeeded"})
	orgAfter, err := admin.OrgDeploymentsMetadata(ctx, org)
	c.decoded("OrgDeploymentsMetadata", orgAfter, err)
	before, after := orgBefore.DeploymentCounts, orgAfter.DeploymentCounts
	expect("the organization's counts, changed by", fmt.Sprint(after.Total-before.Total, " ", after.Succeeded-before.Succeeded, " ", after.Failed-before.Failed, " ", after.NotStarted-before.NotStarted, " ", after.Running-before.Running, " ", orgAfter.Paused),
		"2 1 1 0 0 false")

	// Cleanup: the pool is refused while the settings name it; then the settings go, and the pool with its token.
	c.refused("DeleteOrgAgentPool", 400, admin.DeleteOrgAgentPool(ctx, org, pool.ID, nil))
	deleted, err := admin.DeleteDeploymentSettings(ctx, org, project, stack)
	c.decoded("DeleteDeploymentSettings", deleted, err)
	expect("DeleteDeploymentSettings answer", *deleted, true)
	_, err = admin.GetDeploymentSettings(ctx, org, project, stack)
	c.refused("GetDeploymentSettings", 404, err)
	_, err = admin.DeleteDeploymentSettings(ctx, org, project, stack)
	c.refused("DeleteDeploymentSettings", 404, err)
	c.refused("PauseStackDeployments", 400, admin.PauseStackDeployments(ctx, org, project, stack))
	c.call("DeleteOrgAgentPool", admin.DeleteOrgAgentPool(ctx, org, pool.ID, nil))
	c.refused("GetAgentPool", 404, errOf(admin.GetAgentPool(ctx, org, pool.ID)))
	_, err = runner.PollDeploymentsQueue(ctx, runnerHeaders)
	c.refused("PollDeploymentsQueue", 401, err)
	pools, err = admin.ListOrgAgentPool(ctx, org)
	c.decoded("ListOrgAgentPool", pools, err)
	if slices.ContainsFunc(pools.AgentPools, func(p *apitype.AgentPool) bool { return p.ID == pool.ID }) {
		fail("ListOrgAgentPool: the deleted pool is listed: %s", c.lastBody)
	}
}

func gitSource(repoURL, branch string) jsonvalue.Value[apitype.SourceContextRequest] {
	git := apitype.SourceContextGitRequest{Branch: jsonvalue.NotNull(branch)}
	if repoURL != "" {
		git.RepoURL = jsonvalue.NotNull(repoURL)
	}
	return jsonvalue.NotNull(apitype.SourceContextRequest{Git: jsonvalue.NotNull(git)})
}

// errOf keeps a call's error alone, for refused.
func errOf[T any](_ T, err error) error { return err }

// noToken fails when an answer carries the pool's token or a field for one.
func noToken(operation string, body []byte, token string) {
	var raw any
	_ = json.Unmarshal(body, &raw)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for key, value := range v {
				if strings.Contains(strings.ToLower(key), "token") {
					fail("%s: a pool's answer has a %q field: %s", operation, key, body)
				}
				walk(value)
			}
		case []any:
			for _, item := range v {
				walk(item)
			}
		}
	}
	walk(raw)
	if strings.Contains(string(body), token) {
		fail("%s: the pool's token is in the answer", operation)
	}
}

func findPool(pools *apitype.ListAgentPoolsResponse, id string) *apitype.AgentPool {
	for _, p := range pools.AgentPools {
		if p != nil && p.ID == id {
			return p
		}
	}
	fail("ListOrgAgentPool: no pool %s", id)
	return nil
}

// settingsText is `version source repoUrl branch pool NAME=value…`, a secret's value shown as
// `secret` when it came back as ciphertext alone.
func settingsText(s *apitype.DeploymentSettings) string {
	var git apitype.SourceContextGit
	if s.SourceContext != nil && s.SourceContext.Git != nil {
		git = *s.SourceContext.Git
	}
	pool := "<none>"
	if s.AgentPoolID != nil {
		pool = *s.AgentPoolID
	}
	source := "<none>"
	if s.Source != nil {
		source = string(*s.Source)
	}
	text := fmt.Sprint(s.Version, " ", source, " ", git.RepoURL, " ", git.Branch, " ", pool)
	if s.Operation == nil {
		return text
	}
	var names []string
	for name := range s.Operation.EnvironmentVariables {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := s.Operation.EnvironmentVariables[name]
		switch {
		case v.Secret && len(v.Ciphertext) > 0 && v.Value == "":
			text += " " + name + "=secret"
		case v.Secret:
			text += fmt.Sprintf(" %s=<secret value %q ciphertext %d bytes>", name, v.Value, len(v.Ciphertext))
		default:
			text += " " + name + "=" + v.Value
		}
	}
	return text
}

func deploymentText(d *apitype.GetDeploymentResponse) string {
	return fmt.Sprint(d.ID, " ", d.Version, " ", d.LatestVersion, " ", d.Status, " ", d.PulumiOperation, " ", d.Initiator, " ", len(d.Jobs), " jobs")
}

func configurationText(c *apitype.DeploymentConfiguration) string {
	if c == nil {
		return "<none>"
	}
	text := "<no source>"
	if c.Source != nil && c.Source.Git != nil {
		text = c.Source.Git.RepoURL + " " + c.Source.Git.Branch
	}
	for _, v := range c.EnvironmentVariables {
		if v.Secret {
			if v.Value != "" {
				text += fmt.Sprintf(" %s=<secret shown: %q>", v.Name, v.Value)
			} else {
				text += " " + v.Name + "=secret"
			}
		} else {
			text += " " + v.Name + "=" + v.Value
		}
	}
	return text
}

func stepsText(job apitype.DeploymentJob) string {
	text := string(job.Status) + ":"
	for _, s := range job.Steps {
		text += " " + s.Name + "=" + string(s.Status)
	}
	return text
}

func poolText(p *apitype.ListDeploymentSnapshotAgentPool) string {
	if p == nil || p.ID == nil || p.Name == nil {
		return "<none>"
	}
	return *p.ID + "/" + *p.Name
}

func stackMetadataText(m *apitype.StackDeploymentsMetadataResponse) string {
	return fmt.Sprint(m.Paused, " ", m.StackPaused, " ", m.OrgPaused, " ", m.HasSchedules)
}

func listText(l *apitype.ListDeploymentResponseV2) string {
	var entries []string
	for _, d := range l.Deployments {
		entries = append(entries, fmt.Sprint(d.Version, " ", d.Status))
	}
	return fmt.Sprint(l.Total, " ", l.ItemsPerPage, ": ", strings.Join(entries, ", "))
}

// streamed is the streaming mode's answer, as the SDK decodes it.
func streamed(operation string, logs *apitype.DeploymentLogsBase, body []byte) apitype.DeploymentLogs {
	if logs == nil || *logs == nil {
		fail("%s: no logs in %s", operation, body)
	}
	stream, ok := (*logs).(apitype.DeploymentLogs)
	if !ok {
		fail("%s: want DeploymentLogs, got %T from %s", operation, *logs, body)
	}
	return stream
}

// ofStep is one step's answer, as the SDK decodes it.
func ofStep(operation string, logs *apitype.DeploymentLogsBase, body []byte) apitype.DeploymentLogsStep {
	if logs == nil || *logs == nil {
		fail("%s: no logs in %s", operation, body)
	}
	step, ok := (*logs).(apitype.DeploymentLogsStep)
	if !ok {
		fail("%s: want DeploymentLogsStep, got %T from %s", operation, *logs, body)
	}
	return step
}

// logText is the streamed lines as `[header] line|line…`.
func logText(lines []apitype.DeploymentLogLine) string {
	var parts []string
	header := ""
	for _, l := range lines {
		if l.Header != "" {
			header = "[" + l.Header + "] "
			continue
		}
		parts = append(parts, header+l.Line)
		header = ""
	}
	return strings.Join(parts, "|")
}

func stepLineText(lines []apitype.DeploymentStepLogLine) string {
	var parts []string
	for _, l := range lines {
		if l.Timestamp.IsZero() {
			fail("GetDeploymentLogs: step line %q has no timestamp", l.Line)
		}
		parts = append(parts, l.Line)
	}
	return "[" + strings.Join(parts, "|") + "]"
}

func intText(v *int) string {
	if v == nil {
		return "<none>"
	}
	return fmt.Sprint(*v)
}

// checkSchedules drives a stack's deployment schedules through the SDK, as the CLI's `pulumi stack
// schedule` and the Pulumi Service provider do: raw (cron, then replaced by a time), drift and TTL
// schedules created and refused, listed, read, updated, paused and resumed; a one-time schedule due
// in a second fires, its deployment in its history; all deleted, a second delete no error.
func checkSchedules(c *check, adminToken, org string) {
	admin := c.client(adminToken)
	ctx := c.ctx
	project, stack := "sdkschedule", fmt.Sprintf("sched-%d", time.Now().UnixNano())
	created, err := admin.CreateStack(ctx, org, project, apitype.AppCreateStackRequest{StackName: stack})
	c.decoded("CreateStack", created, err)
	update := jsonvalue.NotNull(apitype.CreateDeploymentRequest{Op: apitype.PulumiOperationUpdate, InheritSettings: ptr(true)})
	_, err = admin.CreateScheduledDeployment(ctx, org, project, stack, apitype.CreateScheduledDeploymentRequest{ScheduleCron: jsonvalue.NotNull("0 */4 * * *"), Request: update})
	c.refused("CreateScheduledDeployment", 400, err)
	settings, err := admin.ReplaceDeploymentSettings(ctx, org, project, stack, apitype.DeploymentSettingsRequest{SourceContext: gitSource("file:///srv/sdk.git", "refs/heads/main")})
	c.decoded("ReplaceDeploymentSettings", settings, err)

	raw, err := admin.CreateScheduledDeployment(ctx, org, project, stack, apitype.CreateScheduledDeploymentRequest{
		ScheduleCron: jsonvalue.NotNull("0 */4 * * *"),
		Request:      jsonvalue.NotNull(apitype.CreateDeploymentRequest{Op: apitype.PulumiOperationRefresh, InheritSettings: ptr(true)}),
	})
	c.decoded("CreateScheduledDeployment", raw, err)
	expect("raw schedule", scheduleText(raw), "0 */4 * * *  deployment false refresh <nil>")
	serviceTime("CreateScheduledDeployment nextExecution", raw.NextExecution)
	serviceTime("CreateScheduledDeployment created", raw.Created)
	nonEmpty("definition.programID", fmt.Sprint(raw.Definition["programID"]))
	_, err = admin.CreateScheduledDeployment(ctx, org, project, stack, apitype.CreateScheduledDeploymentRequest{
		ScheduleCron: jsonvalue.NotNull("0 * * * *"), ScheduleOnce: jsonvalue.NotNull(time.Now().Add(time.Hour)), Request: update,
	})
	c.refused("CreateScheduledDeployment", 400, err)
	_, err = admin.CreateScheduledDeployment(ctx, org, project, stack, apitype.CreateScheduledDeploymentRequest{ScheduleCron: jsonvalue.NotNull("every day"), Request: update})
	c.refused("CreateScheduledDeployment", 400, err)

	drift, err := admin.CreateScheduledDriftDeployment(ctx, org, project, stack, apitype.CreateScheduledDriftDeploymentRequest{ScheduleCron: jsonvalue.NotNull("0 0 * * 0"), AutoRemediate: jsonvalue.NotNull(true)})
	c.decoded("CreateScheduledDriftDeployment", drift, err)
	expect("drift schedule", scheduleText(drift), "0 0 * * 0  deployment false detect-drift map[remediateIfDriftDetected:true]")
	// The provider reads a TTL schedule's time with Go's time.DateTime layout.
	expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Millisecond)
	ttl, err := admin.CreateScheduledTTLDeployment(ctx, org, project, stack, apitype.CreateScheduledTTLDeploymentRequest{Timestamp: jsonvalue.NotNull(expires), DeleteAfterDestroy: jsonvalue.NotNull(true)})
	c.decoded("CreateScheduledTTLDeployment", ttl, err)
	if at, err := time.Parse(time.DateTime, ttl.ScheduleOnce); err != nil || !at.Equal(expires) {
		fail("CreateScheduledTTLDeployment: scheduleOnce %q is not %v in time.DateTime (%v)", ttl.ScheduleOnce, expires, err)
	}
	expect("TTL schedule", scheduleText(ttl), " "+ttl.ScheduleOnce+" deployment false destroy map[deleteAfterDestroy:true]")
	_, err = admin.CreateScheduledTTLDeployment(ctx, org, project, stack, apitype.CreateScheduledTTLDeploymentRequest{Timestamp: jsonvalue.NotNull(time.Now().Add(-time.Hour))})
	c.refused("CreateScheduledTTLDeployment", 400, err)

	listed, err := admin.ListScheduledDeployment(ctx, org, project, stack)
	c.decoded("ListScheduledDeployment", listed, err)
	var ids []string
	for _, s := range listed.Schedules {
		ids = append(ids, s.ID)
	}
	expect("listed schedules", ids, []string{raw.ID, drift.ID, ttl.ID})
	read, err := admin.ReadScheduledDeployment(ctx, org, project, stack, drift.ID)
	c.decoded("ReadScheduledDeployment", read, err)
	expect("read schedule", scheduleText(read), scheduleText(drift))
	_, err = admin.ReadScheduledDeployment(ctx, org, project, stack, "no-such-schedule")
	c.refused("ReadScheduledDeployment", 404, err)

	// Updates replace: the raw schedule becomes a one-time one, an omitted boolean is false.
	once := time.Now().Add(time.Second).UTC().Truncate(time.Millisecond)
	replaced, err := admin.UpdateScheduledDeployment(ctx, org, project, stack, raw.ID, apitype.CreateScheduledDeploymentRequest{ScheduleOnce: jsonvalue.NotNull(once), Request: update})
	c.decoded("UpdateScheduledDeployment", replaced, err)
	expect("replaced schedule", scheduleText(replaced), " "+once.Format("2006-01-02 15:04:05.000")+" deployment false update <nil>")
	driftUpdated, err := admin.UpdateScheduledDriftDeployment(ctx, org, project, stack, drift.ID, apitype.CreateScheduledDriftDeploymentRequest{ScheduleCron: jsonvalue.NotNull("30 1 * * *")})
	c.decoded("UpdateScheduledDriftDeployment", driftUpdated, err)
	expect("updated drift schedule", scheduleText(driftUpdated), "30 1 * * *  deployment false detect-drift map[remediateIfDriftDetected:false]")
	later := expires.Add(time.Hour)
	ttlUpdated, err := admin.UpdateScheduledTTLDeployment(ctx, org, project, stack, ttl.ID, apitype.CreateScheduledTTLDeploymentRequest{Timestamp: jsonvalue.NotNull(later)})
	c.decoded("UpdateScheduledTTLDeployment", ttlUpdated, err)
	expect("updated TTL schedule", scheduleText(ttlUpdated), " "+later.Format("2006-01-02 15:04:05.000")+" deployment false destroy map[deleteAfterDestroy:false]")
	_, err = admin.UpdateScheduledDriftDeployment(ctx, org, project, stack, ttl.ID, apitype.CreateScheduledDriftDeploymentRequest{ScheduleCron: jsonvalue.NotNull("0 * * * *")})
	c.refused("UpdateScheduledDriftDeployment", 400, err)

	c.call("PauseScheduledDeployment", admin.PauseScheduledDeployment(ctx, org, project, stack, drift.ID))
	read, err = admin.ReadScheduledDeployment(ctx, org, project, stack, drift.ID)
	c.decoded("ReadScheduledDeployment", read, err)
	expect("paused", read.Paused, true)
	c.call("ResumeScheduledDeployment", admin.ResumeScheduledDeployment(ctx, org, project, stack, drift.ID))
	read, err = admin.ReadScheduledDeployment(ctx, org, project, stack, drift.ID)
	c.decoded("ReadScheduledDeployment", read, err)
	expect("resumed", read.Paused, false)
	c.refused("PauseScheduledDeployment", 404, admin.PauseScheduledDeployment(ctx, org, project, stack, "no-such-schedule"))

	// The one-time schedule fires: its deployment is queued and in its history.
	var history *apitype.ListScheduledActionHistoryResponse
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		history, err = admin.ListScheduledDeploymentHistory(ctx, org, project, stack, raw.ID)
		c.decoded("ListScheduledDeploymentHistory", history, err)
		if len(history.ScheduleHistoryEvents) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(history.ScheduleHistoryEvents) != 1 {
		fail("ListScheduledDeploymentHistory: want the one firing: %s", c.lastBody)
	}
	event := history.ScheduleHistoryEvents[0]
	expect("history event", fmt.Sprint(event.ScheduledActionID, " ", event.Version, " ", event.Result), raw.ID+" 2 not-started")
	serviceTime("ListScheduledDeploymentHistory executed", event.Executed)
	fired, err := admin.ReadScheduledDeployment(ctx, org, project, stack, raw.ID)
	c.decoded("ReadScheduledDeployment", fired, err)
	if fired.LastExecuted == nil || fired.NextExecution != "" {
		fail("ReadScheduledDeployment: a fired one-time schedule has a lastExecuted and no nextExecution: %s", c.lastBody)
	}
	deployments, err := admin.ListStackDeploymentsHandlerV2(ctx, org, project, stack, nil, nil, nil, nil)
	c.decoded("ListStackDeploymentsHandlerV2", deployments, err)
	if len(deployments.Deployments) != 1 || deployments.Deployments[0].Initiator != "schedule" {
		fail("ListStackDeploymentsHandlerV2: want the schedule's one deployment: %s", c.lastBody)
	}
	c.call("CancelDeployment", admin.CancelDeployment(ctx, org, project, stack, deployments.Deployments[0].ID))

	for _, id := range []string{raw.ID, drift.ID, ttl.ID, ttl.ID} {
		c.call("DeleteScheduledDeployment", admin.DeleteScheduledDeployment(ctx, org, project, stack, id))
	}
	_, err = admin.ReadScheduledDeployment(ctx, org, project, stack, raw.ID)
	c.refused("ReadScheduledDeployment", 404, err)
	listed, err = admin.ListScheduledDeployment(ctx, org, project, stack)
	c.decoded("ListScheduledDeployment", listed, err)
	expect("schedules left", len(listed.Schedules), 0)
}

// scheduleText is `cron once kind paused operation options`, read from the definition as clients read it.
func scheduleText(s *apitype.ScheduledAction) string {
	request, _ := s.Definition["request"].(map[string]any)
	var options any
	if operationContext, ok := request["operationContext"].(map[string]any); ok {
		options = operationContext["options"]
	}
	return fmt.Sprint(s.ScheduleCron, " ", s.ScheduleOnce, " ", s.Kind, " ", s.Paused, " ", request["operation"], " ", options)
}

// serviceTime fails unless value is the service's SQL-style time of about now or later.
func serviceTime(what, value string) {
	at, err := time.Parse("2006-01-02 15:04:05.000", value)
	if err != nil || time.Since(at) > time.Hour {
		fail("%s: %q is not the service's time of now or later (%v)", what, value, err)
	}
}
