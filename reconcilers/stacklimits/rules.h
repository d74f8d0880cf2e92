// Internal to the rule engine: one check function per rule. A check appends
// findings with only the rule-specific fields filled (rule, subject,
// observed, desired, message, fixable_live); Evaluate adds the container
// identity, severity, CIS ids and exceptions, so no check can forget them.
#pragma once

#include <string>
#include <vector>

#include "reconcilers/stacklimits/facts.h"
#include "reconcilers/stacklimits/finding.h"
#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::stacklimits::rules {

using Check = void (*)(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);

// rules_hardening.cpp
void Privileged(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void Capabilities(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void HostNamespaces(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void NoNewPrivileges(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void Healthcheck(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void LogRotation(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void DockerSocket(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void SocketProxyPermissions(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
// rules_content.cpp
void PlaintextSecrets(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void TemplatePlaceholders(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
// rules_limits.cpp
void RestartPolicy(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);
void ResourceLimits(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);

// Shell-style glob with * and ?, optionally ignoring ASCII case.
bool GlobMatch(const std::string& pattern, const std::string& text, bool ignore_case);
// A socket proxy is the sanctioned path to the Docker socket: the label
// dockward.io/socket-proxy=true or an image matching params.proxy_images.
bool IsSocketProxy(const RuleParams& params, const ContainerFacts& c);
// "CAP_net_admin" -> "NET_ADMIN".
std::string NormalizeCapability(const std::string& cap);

// A finding with the rule-specific fields set.
Finding Make(const char* rule, std::string subject, std::string observed, std::string desired,
             std::string message, bool fixable_live = false);

}  // namespace dw::stacklimits::rules
