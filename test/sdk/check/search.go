package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

// checkSearch searches the organization's resources through the SDK's typed methods, over the
// project the test filled before the check ran: a `dev` stack holding the stack resource, the
// provider and thing-0 (protected), thing-1 (with a secret output) and thing-2, and a `prod` stack
// holding the stack resource, the provider and thing-0. It asks with facets, sorts, pages (by
// number and by cursor), properties and a property query, is refused an unknown sort field, exports
// CSV and asks whether search is available.
func checkSearch(c *check, adminToken, org, project string) {
	admin := c.client(adminToken)
	ctx := c.ctx
	query := "project:" + project
	devPrefix := fmt.Sprintf("urn:pulumi:dev::%s::", project)
	stackURN := devPrefix + "pulumi:pulumi:Stack::" + project + "-dev"
	providerURN := devPrefix + "pulumi:providers:pulumi-nodejs::default"
	thingURN := func(i int) string { return fmt.Sprintf("%spulumi-nodejs:dynamic:Resource::thing-%d", devPrefix, i) }

	// Everything, by name (descending: the SDK has no `asc`), with the type and stack facets.
	all, err := admin.GetOrgResourceSearchQuery(ctx, org, nil, nil, &[]string{"type", "stack"}, nil, nil, nil, &query, nil, &[]string{"name"}, nil)
	c.decoded("GetOrgResourceSearchQuery", all, err)
	expect("total", *all.Total, 8)
	expect("names by name, descending", resultNames(all), "thing-2 thing-1 thing-0 thing-0 "+project+"-prod "+project+"-dev default default")
	expect("type facet", facetText(all.Aggregations["type"]), "0 pulumi-nodejs:dynamic:Resource=4 pulumi:providers:pulumi-nodejs=2 pulumi:pulumi:Stack=2")
	expect("stack facet", facetText(all.Aggregations["stack"]), "0 dev=5 prod=3")
	if p := all.Pagination; p == nil || p.Previous != nil || p.Next != nil || p.Cursor != nil {
		fail("GetOrgResourceSearchQuery: one page of everything has no links and no cursor: %s", c.lastBody)
	}
	for _, r := range all.Resources {
		expect("project of "+*r.URN, *r.Program, project)
		expect("teams of "+*r.URN, len(r.Teams), 0)
		if r.Name == nil || r.Stack == nil || r.Type == nil || r.Modified == nil || r.Custom == nil || r.Protected == nil || r.Delete == nil {
			fail("GetOrgResourceSearchQuery: %s lacks a field `pulumi org search` reads: %s", *r.URN, c.lastBody)
		}
	}
	// The v1 answer names a resource's parent and provider as `pulumi org search` reads them,
	// `parent.urn` and `provider.urn`, and as the SDK's type (shared with v2) reads them,
	// `parent_urn` and `provider_urn`: both spellings are checked.
	var dotted struct {
		Resources []map[string]any `json:"resources"`
	}
	_ = json.Unmarshal(c.lastBody, &dotted)
	for _, r := range dotted.Resources {
		if r["name"] == "thing-1" && r["stack"] == "dev" {
			expect("thing-1's parent.urn", r["parent.urn"], stackURN)
			expect("thing-1's provider.urn", r["provider.urn"], providerURN+"::2f6a1e8c-5f7e-4a6d-9a2b-0d9f4b1c3e21")
		}
	}
	for _, r := range all.Resources {
		if *r.Name == "thing-1" && *r.Stack == "dev" {
			if r.Parent == nil || r.ProviderURN == nil {
				fail("GetOrgResourceSearchQuery: thing-1 decodes without parent_urn or provider_urn: %s", c.lastBody)
			}
			expect("thing-1's parent_urn", *r.Parent, stackURN)
			expect("thing-1's provider_urn", *r.ProviderURN, providerURN+"::2f6a1e8c-5f7e-4a6d-9a2b-0d9f4b1c3e21")
		}
	}

	thing := func(name string) apitype.ResourceResult {
		for _, r := range all.Resources {
			if *r.Name == name && *r.Stack == "dev" {
				return r
			}
		}
		fail("GetOrgResourceSearchQuery: no %s in dev", name)
		return apitype.ResourceResult{}
	}
	one := thing("thing-1")
	expect("thing-1", fmt.Sprint(*one.URN, " ", *one.ID, " ", *one.Type, " ", *one.Package, " ", *one.Module, " ", *one.Custom, " ", *one.Protected, " ", *one.Created, " ", *one.Modified, " ", one.Dependencies),
		fmt.Sprint(thingURN(1), " thing-1-id pulumi-nodejs:dynamic:Resource pulumi-nodejs dynamic true false 2026-11-01T10:00:00.000Z 2026-11-01T10:00:00.000Z [", thingURN(0), "]"))
	expect("thing-0 is protected", *thing("thing-0").Protected, true)
	stackResource := thing(project + "-dev")
	expect("the stack resource", fmt.Sprint(*stackResource.URN, " ", *stackResource.Custom, " ", stackResource.ID), stackURN+" false <nil>")

	// Pages of three by URN: page 2 by number, and the same page again by the cursor of page 1.
	three := 3
	first, err := admin.GetOrgResourceSearchQuery(ctx, org, nil, nil, nil, nil, nil, nil, &query, &three, &[]string{"urn"}, nil)
	c.decoded("GetOrgResourceSearchQuery", first, err)
	if p := first.Pagination; p == nil || p.Previous != nil || p.Next == nil || !strings.Contains(*p.Next, "page=2") || p.Cursor == nil {
		fail("GetOrgResourceSearchQuery: page 1 of 3 links to page 2 and has a cursor: %s", c.lastBody)
	}
	page := 2
	second, err := admin.GetOrgResourceSearchQuery(ctx, org, nil, nil, nil, nil, &page, nil, &query, &three, &[]string{"urn"}, nil)
	c.decoded("GetOrgResourceSearchQuery", second, err)
	if p := second.Pagination; p == nil || p.Previous == nil || !strings.Contains(*p.Previous, "page=1") || p.Next == nil {
		fail("GetOrgResourceSearchQuery: page 2 of 3 links both ways: %s", c.lastBody)
	}
	resumed, err := admin.GetOrgResourceSearchQuery(ctx, org, nil, first.Pagination.Cursor, nil, nil, nil, nil, &query, &three, &[]string{"urn"}, nil)
	c.decoded("GetOrgResourceSearchQuery", resumed, err)
	expect("total of a page", *second.Total, 8)
	expect("the page after page 1's cursor", resultURNs(resumed), resultURNs(second))
	if urns := slices.Compact(slices.Sorted(slices.Values(append(resultURNs(first), resultURNs(second)...)))); len(urns) != 6 {
		fail("GetOrgResourceSearchQuery: pages 1 and 2 hold six resources: %v", urns)
	}

	// Properties, outputs over inputs, with a secret never shown; and a property query.
	withProperties := true
	oneQuery := query + " stack:dev name:thing-1"
	found, err := admin.GetOrgResourceSearchQuery(ctx, org, nil, nil, nil, nil, nil, &withProperties, &oneQuery, nil, nil, nil)
	c.decoded("GetOrgResourceSearchQuery", found, err)
	expect("matches of "+oneQuery, *found.Total, 1)
	if found.Resources[0].Properties == nil {
		fail("GetOrgResourceSearchQuery: properties=true gives properties: %s", c.lastBody)
	}
	var properties map[string]any
	if err := json.Unmarshal(found.Resources[0].Properties.RawMessage, &properties); err != nil {
		fail("GetOrgResourceSearchQuery: properties are not an object: %v", err)
	}
	expect("thing-1's properties", fmt.Sprint(properties["index"], " ", properties["label"], " ", properties["token"]), "1 thing 1 [secret]")
	propertyQuery := query + ` .label:"thing 2"`
	byProperty, err := admin.GetOrgResourceSearchQuery(ctx, org, nil, nil, nil, nil, nil, nil, &propertyQuery, nil, nil, nil)
	c.decoded("GetOrgResourceSearchQuery", byProperty, err)
	expect("matches of "+propertyQuery, resultURNs(byProperty), []string{thingURN(2)})
	if byProperty.Resources[0].Properties != nil {
		fail("GetOrgResourceSearchQuery: properties come only when asked for: %s", c.lastBody)
	}

	_, err = admin.GetOrgResourceSearchQuery(ctx, org, nil, nil, nil, nil, nil, nil, &query, nil, &[]string{"colour"}, nil)
	c.refused("GetOrgResourceSearchQuery", 400, err)

	// The CSV export of the prod stack, by name, with properties.
	prodQuery := query + " stack:prod"
	exported, err := admin.ExportOrgResourceSearchQuery(ctx, org, nil, nil, nil, nil, &withProperties, &prodQuery, nil, &[]string{"name"}, nil)
	c.call("ExportOrgResourceSearchQuery", err)
	records, err := csv.NewReader(strings.NewReader(*exported)).ReadAll()
	if err != nil {
		fail("ExportOrgResourceSearchQuery: not CSV: %v in %s", err, *exported)
	}
	expect("export header", strings.Join(records[0], ","), "created,custom,delete,id,modified,module,name,package,parent_urn,pending,project,protected,provider_urn,stack,type,urn,properties")
	var rows []string
	for _, record := range records[1:] {
		rows = append(rows, fmt.Sprint(record[6], " ", record[7], " ", record[13], " ", record[16]))
	}
	expect("export rows", strings.Join(rows, "\n"), strings.Join([]string{
		`thing-0 pulumi-nodejs prod {"index":0,"__provider":"opaque-provider-source","label":"thing 0"}`,
		project + `-prod pulumi prod {"greeting":"hello"}`,
		`default pulumi prod {"region":"eu-north-1"}`,
	}, "\n"))

	// HEAD answers 200 with no body, which the SDK then fails to decode as the spec's boolean: any
	// refusal would have been an APIError instead.
	available, err := admin.SearchClusterAvailable(ctx, org)
	c.operations = append(c.operations, "SearchClusterAvailable")
	var syntaxErr *json.SyntaxError
	if available != nil || !errors.As(err, &syntaxErr) || len(c.lastBody) != 0 {
		fail("SearchClusterAvailable: want 200 with no body, got %v, %v", available, err)
	}
}

func resultNames(result *apitype.ResourceSearchResult) string {
	names := make([]string, 0, len(result.Resources))
	for _, r := range result.Resources {
		names = append(names, *r.Name)
	}
	return strings.Join(names, " ")
}

func resultURNs(result *apitype.ResourceSearchResult) []string {
	urns := make([]string, 0, len(result.Resources))
	for _, r := range result.Resources {
		urns = append(urns, *r.URN)
	}
	return urns
}

// facetText is an aggregation as "others value=count …".
func facetText(aggregation apitype.Aggregation) string {
	text := fmt.Sprint(*aggregation.Others)
	for _, bucket := range aggregation.Results {
		text += fmt.Sprintf(" %s=%d", *bucket.Name, *bucket.Count)
	}
	return text
}
