// Drives Stackyard's API through Pulumi's generated Go client (github.com/pulumi/pulumi-cloud-sdk/go),
// so the server's wire shapes are checked by the decoder Pulumi's own tools use: a field the server
// names or types differently fails here, and so does a required field (one the SDK's type declares
// without omitempty) the server leaves out.
//
// Environment: STACKYARD_URL, STACKYARD_ADMIN_TOKEN (an organization admin's personal token),
// STACKYARD_ORG, STACKYARD_MEMBER (an existing user outside the organization), STACKYARD_STACK
// ("project/stack", an existing stack of the organization) and STACKYARD_SEARCH_PROJECT (a project
// whose stacks hold the resources checkSearch expects). Exits 1 with a message at the first
// failed call or wrong field; prints a one-line summary otherwise.
package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

func main() {
	c := &check{ctx: context.Background(), baseURL: strings.TrimSuffix(env("STACKYARD_URL"), "/")}
	adminToken, org, member := env("STACKYARD_ADMIN_TOKEN"), env("STACKYARD_ORG"), env("STACKYARD_MEMBER")
	project, stack, ok := strings.Cut(env("STACKYARD_STACK"), "/")
	if !ok {
		fail("STACKYARD_STACK must be project/stack")
	}
	checkIdentity(c, adminToken, org, member, project, stack)
	checkStacks(c, adminToken, org)
	checkEnvironments(c, adminToken, org)
	checkWebhooks(c, adminToken, org, project, stack)
	checkOidc(c, adminToken, org)
	checkUsage(c, adminToken, org)
	checkSearch(c, adminToken, org, env("STACKYARD_SEARCH_PROJECT"))
	checkPolicy(c, adminToken, org)
	checkSchedules(c, adminToken, org)
	checkDeployments(c, adminToken, org)

	distinct := slices.Compact(slices.Sorted(slices.Values(c.operations)))
	fmt.Printf("sdk check passed: %d calls, %d operations: %s\n", len(c.operations), len(distinct), strings.Join(distinct, " "))
}
