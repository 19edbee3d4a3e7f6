package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

// checkStacks drives a stack through an update, a preview and a destroy, the destroy at its kind's
// own paths as the SDK calls them, then reads its history, versions, timelines, resources and events.
func checkStacks(c *check, adminToken, org string) {
	admin := c.client(adminToken)
	project, stack := "sdkproj", fmt.Sprintf("sdk-%d", time.Now().UnixNano())
	created, err := admin.CreateStack(c.ctx, org, project, apitype.AppCreateStackRequest{StackName: stack, Tags: map[string]string{"owner": "sdk"}})
	c.decoded("CreateStack", created, err)
	stackURN := fmt.Sprintf("urn:pulumi:%s::%s::pulumi:pulumi:Stack::%s-%s", stack, project, project, stack)
	state := func(label string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"version":3,"deployment":{"manifest":{"time":"2026-12-01T00:00:00Z","magic":"","version":""},"resources":[{"urn":%q,"custom":false,"type":"pulumi:pulumi:Stack","outputs":{"label":%q}}]}}`, stackURN, label))
	}
	program := func(dryRun bool) apitype.AppUpdateProgramRequest {
		return apitype.AppUpdateProgramRequest{
			Name: project, Runtime: "nodejs", Options: apitype.AppUpdateOptions{DryRun: dryRun},
			Config: map[string]apitype.AppConfigValue{}, Metadata: apitype.AppUpdateMetadata{Message: "sdk", Environment: map[string]string{}},
		}
	}

	// An update at update/{id}: started, its lease renewed, a checkpoint, a batch and one event, completed.
	update, err := admin.CreateUpdateForUpdate(c.ctx, org, project, stack, program(false))
	c.decoded("CreateUpdateForUpdate", update, err)
	started, err := admin.StartUpdateForUpdate(c.ctx, org, project, stack, update.UpdateID, apitype.AppStartUpdateRequest{Tags: map[string]string{"pulumi:project": project}})
	c.decoded("StartUpdateForUpdate", started, err)
	expect("first update's version", started.Version, 1)
	lease := c.lease(started.Token)
	renewed, err := lease.RenewUpdateLease_update(c.ctx, org, project, stack, update.UpdateID, apitype.AppRenewUpdateLeaseRequest{Duration: 300})
	c.decoded("RenewUpdateLease_update", renewed, err)
	nonEmpty("renewed token", renewed.Token)
	c.call("PatchUpdateVerbatimCheckpoint_update", lease.PatchUpdateVerbatimCheckpoint_update(c.ctx, org, project, stack, update.UpdateID,
		apitype.AppPatchUpdateVerbatimCheckpointRequest{Version: 3, UntypedDeployment: state("updated"), SequenceNumber: 1}))
	c.call("RecordEngineEventBatch_update", lease.RecordEngineEventBatch_update(c.ctx, org, project, stack, update.UpdateID, apitype.AppEngineEventBatch{Events: []apitype.AppEngineEvent{
		{Sequence: 0, Timestamp: 1, StdoutEvent: &apitype.AppStdoutEngineEvent{Message: "hello", Color: "raw"}},
	}}))
	c.call("RecordEngineEvent_update", lease.RecordEngineEvent_update(c.ctx, org, project, stack, update.UpdateID,
		apitype.AppEngineEvent{Sequence: 1, Timestamp: 1, CancelEvent: &apitype.AppCancelEvent{}}))
	c.call("CompleteUpdate_update", lease.CompleteUpdate_update(c.ctx, org, project, stack, update.UpdateID, apitype.AppCompleteUpdateRequest{Status: "succeeded"}))

	// A preview at preview/{id}.
	preview, err := admin.CreateUpdateForPreview(c.ctx, org, project, stack, program(true))
	c.decoded("CreateUpdateForPreview", preview, err)
	previewStarted, err := admin.StartUpdateForPreview(c.ctx, org, project, stack, preview.UpdateID, apitype.AppStartUpdateRequest{})
	c.decoded("StartUpdateForPreview", previewStarted, err)
	c.call("CompleteUpdate_preview", c.lease(previewStarted.Token).CompleteUpdate_preview(c.ctx, org, project, stack, preview.UpdateID, apitype.AppCompleteUpdateRequest{Status: "succeeded"}))

	// A destroy at destroy/{id}.
	destroy, err := admin.CreateUpdateForDestroy(c.ctx, org, project, stack, program(false))
	c.decoded("CreateUpdateForDestroy", destroy, err)
	destroyStarted, err := admin.StartUpdateForDestroy(c.ctx, org, project, stack, destroy.UpdateID, apitype.AppStartUpdateRequest{})
	c.decoded("StartUpdateForDestroy", destroyStarted, err)
	expect("destroy's version", destroyStarted.Version, 2)
	destroyLease := c.lease(destroyStarted.Token)
	c.call("PatchUpdateVerbatimCheckpoint_destroy", destroyLease.PatchUpdateVerbatimCheckpoint_destroy(c.ctx, org, project, stack, destroy.UpdateID,
		apitype.AppPatchUpdateVerbatimCheckpointRequest{Version: 3, UntypedDeployment: state("destroyed"), SequenceNumber: 1}))
	c.call("RecordEngineEvent_destroy", destroyLease.RecordEngineEvent_destroy(c.ctx, org, project, stack, destroy.UpdateID,
		apitype.AppEngineEvent{Sequence: 0, Timestamp: 2, StdoutEvent: &apitype.AppStdoutEngineEvent{Message: "bye", Color: "raw"}}))
	c.call("CompleteUpdate_destroy", destroyLease.CompleteUpdate_destroy(c.ctx, org, project, stack, destroy.UpdateID, apitype.AppCompleteUpdateRequest{Status: "succeeded"}))
	status, err := admin.GetUpdateStatusForDestroy(c.ctx, org, project, stack, destroy.UpdateID, nil)
	c.decoded("GetUpdateStatusForDestroy", status, err)
	expect("destroy's status", status.Status, "succeeded")
	destroyEvents, err := admin.GetEngineEvents_destroy(c.ctx, org, project, stack, destroy.UpdateID, nil, nil, nil, nil)
	c.decoded("GetEngineEvents_destroy", destroyEvents, err)
	expect("destroy's events", len(destroyEvents.Events), 1)

	// Events filtered by type code: 1 is stdout.
	events, err := admin.GetEngineEvents_update(c.ctx, org, project, stack, update.UpdateID, nil, nil, &[]int{1}, nil)
	c.decoded("GetEngineEvents_update", events, err)
	expect("stdout events", len(events.Events), 1)
	expect("stdout event type", events.Events[0].Type, "stdoutEvent")

	// History, in the service's paginated format, and one version at a time.
	_, err = admin.GetStackUpdates(c.ctx, org, project, stack, ptr("service"), ptr(1), ptr(10))
	c.call("GetStackUpdates", err)
	var page apitype.GetStackUpdatesResponse
	c.typedAs("GetStackUpdates", &page)
	expect("history total", page.Total, 2)
	expect("history kinds", []string{string(page.Updates[0].Info.Kind), string(page.Updates[1].Info.Kind)}, []string{"destroy", "update"})
	first, err := admin.GetStackUpdate(c.ctx, org, project, stack, 1)
	c.decoded("GetStackUpdate", first, err)
	expect("version 1's update", first.UpdateID, update.UpdateID)
	summary, err := admin.GetStackUpdateSummary(c.ctx, org, project, stack, 2)
	c.decoded("GetStackUpdateSummary", summary, err)
	expect("version 2's result and resources", fmt.Sprintf("%s %d", summary.Result, summary.ResourceCount), "succeeded 1")
	previews, err := admin.GetStackPreviews(c.ctx, org, project, stack, 2, nil, nil, nil)
	c.decoded("GetStackPreviews", previews, err)
	expect("previews before version 2", len(previews.Updates), 1)
	expect("the preview before version 2", previews.Updates[0].UpdateID, preview.UpdateID)
	timeline, err := admin.GetUpdateTimeline(c.ctx, org, project, stack, 2)
	c.decoded("GetUpdateTimeline", timeline, err)
	expect("timeline's previews", len(timeline.Previews), 1)
	latest, err := admin.GetLatestUpdateTimeline(c.ctx, org, project, stack)
	c.decoded("GetLatestUpdateTimeline", latest, err)
	expect("latest timeline's update", latest.Update.UpdateID, destroy.UpdateID)
	previewSummary, err := admin.GetStackPreviewSummary(c.ctx, org, project, stack, preview.UpdateID)
	c.decoded("GetStackPreviewSummary", previewSummary, err)
	expect("preview's result", previewSummary.Result, "succeeded")

	// Resources by URN, of the newest version and of an older one.
	resource, err := admin.GetLatestStackResource(c.ctx, org, project, stack, stackURN)
	c.decoded("GetLatestStackResource", resource, err)
	expect("newest resource's version", resource.Version, 2)
	older, err := admin.GetStackResource(c.ctx, org, project, stack, 1, stackURN)
	c.decoded("GetStackResource", older, err)
	expect("older resource's label", older.Resource.Resource.Outputs["label"], "updated")

	// The stack in the user's list, with its links.
	listed, err := admin.ListUserStacks(c.ctx, nil, nil, ptr(org), ptr(project), nil, nil, nil)
	c.decoded("ListUserStacks", listed, err)
	expect("listed stacks", len(listed.Stacks), 1)
	nonEmpty("stack links.self", listed.Stacks[0].Links.Self)

	// Settings kept beside the stack: metadata, notifications, configuration held in an environment.
	metadata, err := admin.GetStackMetadata(c.ctx, org, project, stack)
	c.decoded("GetStackMetadata", metadata, err)
	expect("stack metadata's notifications", metadata.NotificationSettings.NotifyUpdateFailure, false)
	on, off := true, false
	notified, err := admin.UpdateStackNotificationSettings(c.ctx, org, project, stack, apitype.UpdateStackNotificationSettingsRequest{NotifyUpdateFailure: &on, NotifyUpdateSuccess: &off})
	c.decoded("UpdateStackNotificationSettings", notified, err)
	expect("notify on failure", notified.NotificationSettings.NotifyUpdateFailure, true)
	configured, err := admin.UpdateStackConfig(c.ctx, org, project, stack, apitype.AppStackConfig{Environment: project + "/" + stack})
	c.decoded("UpdateStackConfig", configured, err)
	config, err := admin.GetStackConfig(c.ctx, org, project, stack)
	c.decoded("GetStackConfig", config, err)
	expect("stack config's environment", config.Environment, project+"/"+stack)
	c.call("DeleteStackConfig", admin.DeleteStackConfig(c.ctx, org, project, stack))
}
