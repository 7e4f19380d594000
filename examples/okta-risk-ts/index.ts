// Okta risk sharing and the account's behaviors, from TypeScript: the ztrisk components (plugin/ztrisk).
import * as pulumi from "@pulumi/pulumi";
import * as ztrisk from "@pulumi/ztrisk";

const config = new pulumi.Config();

const behaviors = new ztrisk.Behaviors("risk-behaviors", {
    behaviors: { imp_travel: { enabled: true, risk_level: config.get("impossibleTravelLevel") ?? "high" } },
    onDelete: "restore",
});
const okta = new ztrisk.Integration("okta", { tenantUrl: config.require("tenantUrl"), active: true });

export const integrationId = okta.integrationId;
export const referenceId = okta.referenceId;
export const wellKnownUrl = okta.wellKnownUrl;
export const travel = behaviors.behaviors;
