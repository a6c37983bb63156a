/**
 * The mcp-fleet policy pack. The only place that constructs the PolicyPack: doing so starts the analyzer gRPC server
 * the Pulumi CLI talks to (`pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json`).
 * Policies default to `mandatory`; each stack's config file sets the levels (advisory in dev, mandatory in prod).
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies.js";

new PolicyPack("mcp-fleet", { policies, enforcementLevel: "mandatory" });
