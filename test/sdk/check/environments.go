package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

// checkEnvironments drives an ESC environment through the SDK's typed methods: created, written
// (YAML body, revision header), read at the latest and an older revision, opened whole and by
// property, checked and opened anonymously, tagged, its revisions listed, cloned, retracted,
// rotated, its referrers listed, and deleted.
func checkEnvironments(c *check, adminToken, org string) {
	admin := c.client(adminToken)
	project, name := "sdkenv", fmt.Sprintf("env-%d", time.Now().UnixNano())

	c.call("CreateEnvironment_esc_environments", admin.CreateEnvironment_esc_environments(c.ctx, org, apitype.CreateEnvironmentRequest{Project: project, Name: name}))
	updated, err := admin.UpdateEnvironment_esc_environments(c.ctx, org, project, name, "values:\n  greeting: hello\n  password:\n    fn::secret: hunter2\n")
	c.call("UpdateEnvironment_esc_environments", err)
	expect("revision after the first write", updated.Headers.PulumiESCRevision, 2)
	read, err := admin.ReadEnvironment_esc_environments(c.ctx, org, project, name)
	c.call("ReadEnvironment_esc_environments", err)
	expect("revision read", read.Headers.PulumiESCRevision, 2)
	nonEmpty("ETag", read.Headers.ETag)
	_, err = admin.UpdateEnvironment_esc_environments(c.ctx, org, project, name, "values:\n  greeting: bye\n")
	c.call("UpdateEnvironment_esc_environments", err)
	older, err := admin.ReadEnvironment_esc_environments_versions(c.ctx, org, project, name, "2")
	c.call("ReadEnvironment_esc_environments_versions", err)
	expect("revision 2's revision header", older.Headers.PulumiESCRevision, 2)
	decrypted, err := admin.DecryptEnvironment_esc_environments(c.ctx, org, project, name)
	c.call("DecryptEnvironment_esc_environments", err)
	expect("decrypted definition", decrypted.Response, "values:\n  greeting: bye\n")

	opened, err := admin.OpenEnvironment_esc_environments(c.ctx, org, project, name, ptr("1h0m0s"))
	c.decoded("OpenEnvironment_esc_environments", opened, err)
	session, err := admin.ReadOpenEnvironment_esc_environments(c.ctx, org, project, name, opened.ID, nil)
	c.call("ReadOpenEnvironment_esc_environments", err)
	var environment apitype.EscEnvironment
	if err := json.Unmarshal(*session, &environment); err != nil {
		fail("ReadOpenEnvironment_esc_environments: %v", err)
	}
	c.typedAs("ReadOpenEnvironment_esc_environments", &environment)
	expect("opened greeting", environment.Properties["greeting"].Value, "bye")
	property, err := admin.ReadOpenEnvironment_esc_environments(c.ctx, org, project, name, opened.ID, ptr("greeting"))
	c.call("ReadOpenEnvironment_esc_environments", err)
	var value apitype.EscValue
	c.typedAs("ReadOpenEnvironment_esc_environments", &value)
	expect("property value", value.Value, "bye")
	_ = property

	checked, err := admin.CheckYAML_esc(c.ctx, org, ptr(false), fmt.Sprintf("imports:\n  - %s/%s\nvalues:\n  extra: 1\n", project, name))
	c.decoded("CheckYAML_esc", checked, err)
	expect("checked import", checked.Properties["greeting"].Value, "bye")
	anonymous, err := admin.OpenYAML_esc(c.ctx, org, ptr("2h0m0s"))
	c.decoded("OpenYAML_esc", anonymous, err)
	_, err = admin.ReadAnonymousOpenEnvironment_esc(c.ctx, org, anonymous.ID, nil)
	c.call("ReadAnonymousOpenEnvironment_esc", err)

	listed, err := admin.ListOrgEnvironments_esc(c.ctx, org, nil, nil, nil, nil)
	c.decoded("ListOrgEnvironments_esc", listed, err)
	revisions, err := admin.ListEnvironmentRevisions_esc_environments(c.ctx, org, project, name, nil, nil)
	c.decoded("ListEnvironmentRevisions_esc_environments", revisions, err)
	expect("revisions", len(*revisions), 3)

	c.call("CreateRevisionTag_esc_environments_versions_tags", admin.CreateRevisionTag_esc_environments_versions_tags(c.ctx, org, project, name,
		apitype.CreateEnvironmentRevisionTagRequest{Name: "stable", Revision: ptr(2)}))
	revisionTag, err := admin.ReadRevisionTag_esc_environments(c.ctx, org, project, name, "stable")
	c.decoded("ReadRevisionTag_esc_environments", revisionTag, err)
	expect("stable's revision", revisionTag.Revision, 2)
	c.call("UpdateRevisionTag_esc_environments", admin.UpdateRevisionTag_esc_environments(c.ctx, org, project, name, "stable", apitype.UpdateEnvironmentRevisionTagRequest{Revision: ptr(3)}))
	revisionTags, err := admin.ListRevisionTags_esc_environments_versions(c.ctx, org, project, name, nil, nil)
	c.decoded("ListRevisionTags_esc_environments_versions", revisionTags, err)
	expect("revision tags", len(revisionTags.Tags), 2)
	c.call("DeleteRevisionTag_esc_environments", admin.DeleteRevisionTag_esc_environments(c.ctx, org, project, name, "stable"))

	tag, err := admin.CreateEnvironmentTag_esc_environments(c.ctx, org, project, name, apitype.CreateEnvironmentTagRequest{Name: "team", Value: "core"})
	c.decoded("CreateEnvironmentTag_esc_environments", tag, err)
	got, err := admin.GetEnvironmentTag_esc_environments(c.ctx, org, project, name, "team")
	c.decoded("GetEnvironmentTag_esc_environments", got, err)
	changed, err := admin.UpdateEnvironmentTag_esc_environments(c.ctx, org, project, name, "team", apitype.UpdateEnvironmentTagRequest{
		CurrentTag: apitype.UpdateEnvironmentTagRequestCurrentTag{Value: "core"}, NewTag: apitype.UpdateEnvironmentTagRequestNewTag{Value: "edge"},
	})
	c.decoded("UpdateEnvironmentTag_esc_environments", changed, err)
	expect("changed tag", changed.Value, "edge")
	tags, err := admin.ListEnvironmentTags_esc_environments(c.ctx, org, project, name, nil, nil)
	c.decoded("ListEnvironmentTags_esc_environments", tags, err)
	expect("tags", len(tags.Tags), 1)
	c.call("DeleteEnvironmentTag_esc_environments", admin.DeleteEnvironmentTag_esc_environments(c.ctx, org, project, name, "team"))

	c.call("CloneEnvironment", admin.CloneEnvironment(c.ctx, org, project, name, apitype.CloneEnvironmentRequest{Name: name + "-copy"}))
	c.call("RetractEnvironmentRevision_esc_environments", admin.RetractEnvironmentRevision_esc_environments(c.ctx, org, project, name, "3",
		apitype.RetractEnvironmentRevisionRequest{Reason: "sdk check"}))
	rotated, err := admin.RotateEnvironment(c.ctx, org, project, name, apitype.RotateEnvironmentRequest{})
	c.decoded("RotateEnvironment", rotated, err)
	expect("rotation status", rotated.SecretRotationEvent.Status, "succeeded")
	referrers, err := admin.ListEnvironmentReferrers_esc_environments(c.ctx, org, project, name, nil, nil, nil, nil)
	c.decoded("ListEnvironmentReferrers_esc_environments", referrers, err)
	c.call("DeleteEnvironment_esc_environments", admin.DeleteEnvironment_esc_environments(c.ctx, org, project, name+"-copy"))
	c.call("DeleteEnvironment_esc_environments", admin.DeleteEnvironment_esc_environments(c.ctx, org, project, name))
}
