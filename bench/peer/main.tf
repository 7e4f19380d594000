# The `make bench-peers` workload for OpenTofu + the cloudflare provider v5: the same N integrations and
# 3 behaviors as bench.run gives the Pulumi stack. Values come from terraform.tfvars.json.
terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare/cloudflare"
    }
  }
}

provider "cloudflare" {}  # base URL and token from CLOUDFLARE_BASE_URL / CLOUDFLARE_API_TOKEN

variable "account_id" {
  type = string
}

variable "behaviors" {
  type = map(object({ enabled = bool, risk_level = string }))
}

variable "integrations" {
  type = list(object({ tenant_url = string, reference_id = optional(string), active = bool }))
}

resource "cloudflare_zero_trust_risk_behavior" "behaviors" {
  account_id = var.account_id
  behaviors  = var.behaviors
}

resource "cloudflare_zero_trust_risk_scoring_integration" "integration" {
  count            = length(var.integrations)
  account_id       = var.account_id
  integration_type = "Okta"
  tenant_url       = var.integrations[count.index].tenant_url
  reference_id     = var.integrations[count.index].reference_id
  active           = var.integrations[count.index].active
}
