/** Pulumi type tokens of the non-Kubernetes resources the pack checks. */
export const DOCKER_CONTAINER = "docker:index/container:Container";
export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const SECRETS_MANAGER_SECRET = "aws:secretsmanager/secret:Secret";
export const IAM_ROLE = "aws:iam/role:Role";
