package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
	"github.com/pulumi/pulumi-cloud-sdk/go/apitype/jsonvalue"
)

// checkOidc drives an organization's OIDC issuers and their authorization policies through the
// SDK's typed methods, as the Pulumi Service provider does: an issuer registered with an inline key
// set (so the server fetches nothing), its default policy read and replaced, the issuer listed,
// read, renamed (and refused without a name), deleted, then a 404.
func checkOidc(c *check, adminToken, org string) {
	admin := c.client(adminToken)
	ctx := c.ctx
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail("generating a key: %v", err)
	}
	jwks := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "sdk-1", Algorithm: "ES256", Use: "sig"}}}
	url := fmt.Sprintf("https://sdk-%d.example", time.Now().UnixNano())
	maxExpiration := int64(7200)

	issuer, err := admin.RegisterOidcIssuer(ctx, org, apitype.OidcIssuerRegistrationRequest{Name: "sdk", URL: url, JWKs: jwks, MaxExpiration: &maxExpiration})
	c.decoded("RegisterOidcIssuer", issuer, err)
	expect("registered issuer", fmt.Sprint(issuer.Name, " ", issuer.Issuer, " ", len(issuer.Thumbprints), " ", *issuer.MaxExpiration), fmt.Sprint("sdk ", url, " 0 7200"))
	if issuer.JWKs == nil || len(issuer.JWKs.Keys) != 1 || issuer.JWKs.Keys[0].KeyID != "sdk-1" || !issuer.JWKs.Keys[0].IsPublic() {
		fail("RegisterOidcIssuer: the key set did not come back as registered: %s", c.lastBody)
	}

	policy, err := admin.GetAuthPolicy(ctx, org, issuer.ID)
	c.decoded("GetAuthPolicy", policy, err)
	expect("default policy", fmt.Sprint(policy.ID, " ", policy.Version, " ", len(policy.Definition), " ", policy.Definition[0].Decision), fmt.Sprint(issuer.ID, " 1 1 deny"))
	definitions := []*apitype.AuthPolicyDefinition{
		{Decision: "allow", TokenType: "organization", AuthorizedPermissions: []string{"admin"}, Rules: map[string]any{"sub": "repo:acme/*"}},
		{Decision: "deny", TokenType: "team", TeamName: "ops", AuthorizedPermissions: []string{}, Rules: map[string]any{"sub": "repo:acme/evil"}},
	}
	updated, err := admin.UpdateAuthPolicy(ctx, org, policy.ID, apitype.AuthPolicyUpdateRequest{Definition: definitions})
	c.decoded("UpdateAuthPolicy", updated, err)
	expect("updated policy", fmt.Sprint(updated.Version, " ", len(updated.Definition), " ", updated.Definition[1].TeamName), "2 2 ops")

	list, err := admin.List_orgs_oidc_issuers(ctx, org)
	c.decoded("List_orgs_oidc_issuers", list, err)
	found := false
	for _, listed := range list.OidcIssuers {
		found = found || listed.ID == issuer.ID
	}
	if !found {
		fail("List_orgs_oidc_issuers: %s is not listed", issuer.ID)
	}
	got, err := admin.GetOidcIssuer(ctx, org, issuer.ID)
	c.decoded("GetOidcIssuer", got, err)
	expect("read issuer", got.URL, url)

	renamed, err := admin.UpdateOidcIssuer(ctx, org, issuer.ID, apitype.OidcIssuerUpdateRequest{Name: jsonvalue.NotNull("sdk-renamed"), Thumbprints: jsonvalue.NotNull([]string{}), MaxExpiration: jsonvalue.NotNull(int64(3600))})
	c.decoded("UpdateOidcIssuer", renamed, err)
	expect("renamed issuer", fmt.Sprint(renamed.Name, " ", *renamed.MaxExpiration), "sdk-renamed 3600")
	_, err = admin.UpdateOidcIssuer(ctx, org, issuer.ID, apitype.OidcIssuerUpdateRequest{MaxExpiration: jsonvalue.NotNull(int64(60))})
	c.refused("UpdateOidcIssuer", 400, err)

	c.call("DeleteOidcIssuer", admin.DeleteOidcIssuer(ctx, org, issuer.ID))
	_, err = admin.GetOidcIssuer(ctx, org, issuer.ID)
	c.refused("GetOidcIssuer", 404, err)
}
