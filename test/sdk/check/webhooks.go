package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apiclient"
	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

// hookScope is one place webhooks live, as the SDK reaches it: its eight operations and the
// fields a hook's body names it by.
type hookScope struct {
	label      string
	operations map[string]string
	body       apitype.Webhook
	list       func() (*[]apitype.WebhookResponse, error)
	create     func(apitype.Webhook) (*apitype.WebhookResponse, error)
	get        func(name string) (*apitype.WebhookResponse, error)
	update     func(name string, hook apitype.Webhook) (*apitype.WebhookResponse, error)
	remove     func(name string) error
	ping       func(name string) (*apitype.WebhookDelivery, error)
	deliveries func(name string) (*[]apitype.WebhookDelivery, error)
	redeliver  func(name, event string) (*apitype.WebhookDelivery, error)
}

// checkWebhooks drives the webhooks of an organization, a stack, an environment and an environment
// at its older /api/preview path through the SDK's typed methods: each scope's hook created (a
// generated name, then a chosen one, then that name again for the 409), listed, read, changed,
// pinged to a receiver on loopback that checks the signature, its deliveries listed, the ping
// redelivered, and the hooks deleted (then a 404).
func checkWebhooks(c *check, adminToken, org, project, stack string) {
	admin := c.client(adminToken)
	hooks := startHookReceiver()
	defer hooks.close()

	envProject, envName := "sdkhooks", fmt.Sprintf("env-%d", time.Now().UnixNano())
	legacyEnv := fmt.Sprintf("legacy-%d", time.Now().UnixNano())
	c.call("CreateEnvironment_esc_environments", admin.CreateEnvironment_esc_environments(c.ctx, org, apitype.CreateEnvironmentRequest{Project: envProject, Name: envName}))
	c.call("CreateEnvironment_esc_environments", admin.CreateEnvironment_esc_environments(c.ctx, org, apitype.CreateEnvironmentRequest{Project: "default", Name: legacyEnv}))

	for _, scope := range hookScopes(c, admin, org, project, stack, envProject, envName, legacyEnv) {
		checkHookScope(c, scope, hooks)
	}

	c.call("DeleteEnvironment_esc_environments", admin.DeleteEnvironment_esc_environments(c.ctx, org, envProject, envName))
	c.call("DeleteEnvironment_esc_environments", admin.DeleteEnvironment_esc_environments(c.ctx, org, "default", legacyEnv))
}

func hookScopes(c *check, admin *apiclient.CloudClient, org, project, stack, envProject, envName, legacyEnv string) []hookScope {
	ctx := c.ctx
	return []hookScope{
		{
			label: "organization",
			operations: map[string]string{
				"list": "ListOrganizationWebhooks", "create": "CreateOrganizationWebhook", "get": "GetOrganizationWebhook", "update": "UpdateOrganizationWebhook",
				"delete": "DeleteOrganizationWebhook", "ping": "PingOrganizationWebhook", "deliveries": "GetOrganizationWebhookDeliveries", "redeliver": "RedeliverOrganizationWebhookEvent",
			},
			body: apitype.Webhook{OrganizationName: org},
			list: func() (*[]apitype.WebhookResponse, error) { return admin.ListOrganizationWebhooks(ctx, org) },
			create: func(h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.CreateOrganizationWebhook(ctx, org, h)
			},
			get: func(n string) (*apitype.WebhookResponse, error) { return admin.GetOrganizationWebhook(ctx, org, n) },
			update: func(n string, h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.UpdateOrganizationWebhook(ctx, org, n, h)
			},
			remove: func(n string) error { return admin.DeleteOrganizationWebhook(ctx, org, n) },
			ping:   func(n string) (*apitype.WebhookDelivery, error) { return admin.PingOrganizationWebhook(ctx, org, n) },
			deliveries: func(n string) (*[]apitype.WebhookDelivery, error) {
				return admin.GetOrganizationWebhookDeliveries(ctx, org, n)
			},
			redeliver: func(n, e string) (*apitype.WebhookDelivery, error) {
				return admin.RedeliverOrganizationWebhookEvent(ctx, org, n, e)
			},
		},
		{
			label: "stack",
			operations: map[string]string{
				"list": "ListStackWebhooks", "create": "CreateStackWebhook", "get": "GetStackWebhook", "update": "UpdateStackWebhook",
				"delete": "DeleteStackWebhook", "ping": "PingStackWebhook", "deliveries": "GetStackWebhookDeliveries", "redeliver": "RedeliverStackWebhookEvent",
			},
			body: apitype.Webhook{OrganizationName: org, ProjectName: ptr(project), StackName: ptr(stack)},
			list: func() (*[]apitype.WebhookResponse, error) { return admin.ListStackWebhooks(ctx, org, project, stack) },
			create: func(h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.CreateStackWebhook(ctx, org, project, stack, h)
			},
			get: func(n string) (*apitype.WebhookResponse, error) {
				return admin.GetStackWebhook(ctx, org, project, stack, n)
			},
			update: func(n string, h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.UpdateStackWebhook(ctx, org, project, stack, n, h)
			},
			remove: func(n string) error { return admin.DeleteStackWebhook(ctx, org, project, stack, n) },
			ping: func(n string) (*apitype.WebhookDelivery, error) {
				return admin.PingStackWebhook(ctx, org, project, stack, n)
			},
			deliveries: func(n string) (*[]apitype.WebhookDelivery, error) {
				return admin.GetStackWebhookDeliveries(ctx, org, project, stack, n)
			},
			redeliver: func(n, e string) (*apitype.WebhookDelivery, error) {
				return admin.RedeliverStackWebhookEvent(ctx, org, project, stack, n, e)
			},
		},
		{
			label: "environment",
			operations: map[string]string{
				"list": "ListWebhooks_esc_environments", "create": "CreateWebhook_esc_environments", "get": "GetWebhook_esc_environments", "update": "UpdateWebhook_esc_environments",
				"delete": "DeleteWebhook_esc_environments", "ping": "PingWebhook_esc_environments", "deliveries": "GetWebhookDeliveries_esc_environments", "redeliver": "RedeliverWebhookEvent_esc_environments",
			},
			body: apitype.Webhook{OrganizationName: org, ProjectName: ptr(envProject), EnvName: ptr(envName)},
			list: func() (*[]apitype.WebhookResponse, error) {
				return admin.ListWebhooks_esc_environments(ctx, org, envProject, envName)
			},
			create: func(h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.CreateWebhook_esc_environments(ctx, org, envProject, envName, h)
			},
			get: func(n string) (*apitype.WebhookResponse, error) {
				return admin.GetWebhook_esc_environments(ctx, org, envProject, envName, n)
			},
			update: func(n string, h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.UpdateWebhook_esc_environments(ctx, org, envProject, envName, n, h)
			},
			remove: func(n string) error { return admin.DeleteWebhook_esc_environments(ctx, org, envProject, envName, n) },
			ping: func(n string) (*apitype.WebhookDelivery, error) {
				return admin.PingWebhook_esc_environments(ctx, org, envProject, envName, n)
			},
			deliveries: func(n string) (*[]apitype.WebhookDelivery, error) {
				return admin.GetWebhookDeliveries_esc_environments(ctx, org, envProject, envName, n)
			},
			redeliver: func(n, e string) (*apitype.WebhookDelivery, error) {
				return admin.RedeliverWebhookEvent_esc_environments(ctx, org, envProject, envName, n, e)
			},
		},
		{
			label: "environment at /api/preview",
			operations: map[string]string{
				"list": "ListWebhooks_preview_environments", "create": "CreateWebhook_preview_environments", "get": "GetWebhook_preview_environments",
				"update": "UpdateWebhook_preview_environments", "delete": "DeleteWebhook_preview_environments", "ping": "PingWebhook_preview_environments",
				"deliveries": "GetWebhookDeliveries_preview_environments", "redeliver": "RedeliverWebhookEvent_preview_environments",
			},
			body: apitype.Webhook{OrganizationName: org, EnvName: ptr(legacyEnv)},
			list: func() (*[]apitype.WebhookResponse, error) {
				return admin.ListWebhooks_preview_environments(ctx, org, legacyEnv)
			},
			create: func(h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.CreateWebhook_preview_environments(ctx, org, legacyEnv, h)
			},
			get: func(n string) (*apitype.WebhookResponse, error) {
				return admin.GetWebhook_preview_environments(ctx, org, legacyEnv, n)
			},
			update: func(n string, h apitype.Webhook) (*apitype.WebhookResponse, error) {
				return admin.UpdateWebhook_preview_environments(ctx, org, legacyEnv, n, h)
			},
			remove: func(n string) error { return admin.DeleteWebhook_preview_environments(ctx, org, legacyEnv, n) },
			ping: func(n string) (*apitype.WebhookDelivery, error) {
				return admin.PingWebhook_preview_environments(ctx, org, legacyEnv, n)
			},
			deliveries: func(n string) (*[]apitype.WebhookDelivery, error) {
				return admin.GetWebhookDeliveries_preview_environments(ctx, org, legacyEnv, n)
			},
			redeliver: func(n, e string) (*apitype.WebhookDelivery, error) {
				return admin.RedeliverWebhookEvent_preview_environments(ctx, org, legacyEnv, n, e)
			},
		},
	}
}

func checkHookScope(c *check, scope hookScope, hooks *hookReceiver) {
	op := func(name string) string { return scope.operations[name] }
	what := func(detail string) string { return scope.label + " hook: " + detail }
	withFields := func(change func(*apitype.Webhook)) apitype.Webhook {
		hook := scope.body
		change(&hook)
		return hook
	}

	// A generated name (no name sent), then a chosen one, then the chosen one again.
	generated, err := scope.create(withFields(func(h *apitype.Webhook) {
		h.DisplayName, h.PayloadURL, h.Active = "generated", hooks.url+"/generated", false
	}))
	c.decoded(op("create"), generated, err)
	if len(generated.Name) != 8 {
		fail("%s", what(fmt.Sprintf("generated name %q is not 8 characters", generated.Name)))
	}
	expect(what("format by default"), *generated.Format, "raw")
	expect(what("hasSecret without a secret"), generated.HasSecret, false)
	chosen := withFields(func(h *apitype.Webhook) {
		h.Name, h.DisplayName, h.PayloadURL, h.Active, h.Secret = "sdk-hook", "SDK hook", hooks.url+"/sdk", true, "sdk-secret"
	})
	created, err := scope.create(chosen)
	c.decoded(op("create"), created, err)
	expect(what("name"), created.Name, "sdk-hook")
	expect(what("hasSecret"), created.HasSecret, true)
	expect(what("secretCiphertext"), created.SecretCiphertext, hexDigest("sdk-secret"))
	_, err = scope.create(chosen)
	c.refused(op("create"), http.StatusConflict, err)

	listed, err := scope.list()
	c.decoded(op("list"), listed, err)
	names := []string{}
	for _, hook := range *listed {
		names = append(names, hook.Name)
	}
	if !slices.Contains(names, generated.Name) || !slices.Contains(names, "sdk-hook") || len(names) != 2 {
		fail("%s", what(fmt.Sprintf("listed %v", names)))
	}
	got, err := scope.get("sdk-hook")
	c.decoded(op("get"), got, err)
	expect(what("read display name"), got.DisplayName, "SDK hook")
	if scope.body.EnvName != nil {
		expect(what("envName"), *got.EnvName, *scope.body.EnvName)
	}
	if scope.body.StackName != nil {
		expect(what("stackName"), *got.StackName, *scope.body.StackName)
	}

	// PATCH with the whole desired state: display name, filters and a group.
	groups := map[string][]string{"organization": {"stacks"}, "stack": {"stacks"}}[scope.label]
	if groups == nil {
		groups = []string{"environments"}
	}
	changed, err := scope.update("sdk-hook", withFields(func(h *apitype.Webhook) {
		h.DisplayName, h.PayloadURL, h.Active, h.Groups = "SDK hook, renamed", hooks.url+"/sdk", true, groups
	}))
	c.decoded(op("update"), changed, err)
	expect(what("changed display name"), changed.DisplayName, "SDK hook, renamed")
	expect(what("changed groups"), changed.Groups, groups)
	expect(what("secret kept"), changed.SecretCiphertext, hexDigest("sdk-secret"))

	ping, err := scope.ping("sdk-hook")
	c.decoded(op("ping"), ping, err)
	expect(what("ping kind"), ping.Kind, "ping")
	expect(what("ping response"), ping.ResponseCode, 200)
	received := hooks.take("/sdk")
	if len(received) != 1 {
		fail("%s", what(fmt.Sprintf("the receiver got %d pings", len(received))))
	}
	expect(what("Pulumi-Webhook-Id"), received[0].header.Get("Pulumi-Webhook-Id"), ping.ID)
	expect(what("Pulumi-Webhook-Signature"), received[0].header.Get("Pulumi-Webhook-Signature"), signature("sdk-secret", received[0].body))
	expect(what("recorded payload"), ping.Payload, string(received[0].body))

	deliveries, err := scope.deliveries("sdk-hook")
	c.decoded(op("deliveries"), deliveries, err)
	if len(*deliveries) != 1 || (*deliveries)[0].ID != ping.ID {
		fail("%s", what(fmt.Sprintf("deliveries %+v", *deliveries)))
	}
	again, err := scope.redeliver("sdk-hook", ping.ID)
	c.decoded(op("redeliver"), again, err)
	expect(what("redelivered id"), again.ID, ping.ID)
	expect(what("redelivered payload"), again.Payload, ping.Payload)
	redelivered := hooks.take("/sdk")
	if len(redelivered) != 1 || string(redelivered[0].body) != ping.Payload {
		fail("%s", what("the redelivery did not resend the ping's payload"))
	}
	_, err = scope.redeliver("sdk-hook", "no-such-event")
	c.refused(op("redeliver"), http.StatusNotFound, err)

	c.call(op("delete"), scope.remove("sdk-hook"))
	c.call(op("delete"), scope.remove(generated.Name))
	_, err = scope.get("sdk-hook")
	c.refused(op("get"), http.StatusNotFound, err)
	empty, err := scope.list()
	c.decoded(op("list"), empty, err)
	expect(what("hooks left"), len(*empty), 0)
}

func hexDigest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

type receivedHook struct {
	header http.Header
	body   []byte
}

// hookReceiver records the requests webhooks deliver to it, by path, on a loopback port.
type hookReceiver struct {
	url      string
	listener net.Listener
	mu       sync.Mutex
	byPath   map[string][]receivedHook
}

func startHookReceiver() *hookReceiver {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("webhook receiver: %v", err)
	}
	r := &hookReceiver{url: "http://" + listener.Addr().String(), listener: listener, byPath: map[string][]receivedHook{}}
	go func() {
		_ = http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			r.mu.Lock()
			r.byPath[req.URL.Path] = append(r.byPath[req.URL.Path], receivedHook{header: req.Header.Clone(), body: body})
			r.mu.Unlock()
			_, _ = w.Write([]byte("ok"))
		}))
	}()
	return r
}

// take returns and forgets what arrived at path. Pings and redeliveries are answered before the
// server replies, so they are here by the time the SDK call returns.
func (r *hookReceiver) take(path string) []receivedHook {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.byPath[path]
	delete(r.byPath, path)
	return got
}

func (r *hookReceiver) close() { _ = r.listener.Close() }
