"use strict";
// The test policy pack of the policy reference (§4.1): one mandatory and one advisory policy.
// Plain CommonJS so that it runs as published, with no build step.
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("stackyard-test-policies", {
    policies: [
        {
            name: "no-forbidden-name",
            description: "Resources must not be named 'forbidden'.",
            enforcementLevel: "mandatory",
            validateResource: (args, reportViolation) => {
                if (args.name === "forbidden") {
                    reportViolation("The name 'forbidden' is not allowed.");
                }
            },
        },
        {
            name: "advisory-note",
            description: "Advisory check on dynamic resources.",
            enforcementLevel: "advisory",
            validateResource: (args, reportViolation) => {
                if (args.type === "pulumi-nodejs:dynamic:Resource" && args.props.warn === true) {
                    reportViolation("warn=true was set.");
                }
            },
        },
    ],
});
