// The permission catalog: every node the server checks, grouped in categories with a name,
// description and dependencies, as seed 002's GET /v1/permissions shows it. Which routes use a
// node ("usedIn") is not written here: it is filled from the route registrations.
//
//   const auto& categories = Catalog();                  // ordered as listed in catalog.cpp
//   const NodeInfo* node = FindNode("company.fetch.address");
//   for (const auto& c : categories) for (const auto& n : c.nodes) ... n.node ...
#pragma once

#include <string>
#include <vector>

namespace gatehouse::authz {

struct NodeInfo {
  std::string node;
  std::string description;
  std::vector<std::string> dependencies;  // nodes that only make sense together with this one
};

struct Category {
  std::string key;  // "user", "credentialType", ...
  std::string name;
  std::string description;
  std::vector<NodeInfo> nodes;
};

const std::vector<Category>& Catalog();
const Category* FindCategory(std::string_view key);
const NodeInfo* FindNode(std::string_view node);

}  // namespace gatehouse::authz
