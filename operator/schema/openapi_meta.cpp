#include "operator/schema/openapi_meta.h"

#include <string>

namespace dw::schema {

namespace {

// "@/" stands for the $ref prefix; replaced per document flavour.
constexpr const char kMetaSchemas[] = R"JSON({
"io.k8s.apimachinery.pkg.apis.meta.v1.Time": {
  "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.",
  "type": "string", "format": "date-time"},
"io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": {
  "description": "MicroTime is version of Time with microsecond level precision.",
  "type": "string", "format": "date-time"},
"io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": {
  "description": "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.",
  "type": "object"},
"io.k8s.apimachinery.pkg.apis.meta.v1.Patch": {
  "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
  "type": "object"},
"io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": {
  "description": "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
  "type": "object",
  "properties": {
    "apiVersion": {"description": "APIVersion defines the version of this resource that this field set applies to.", "type": "string"},
    "fieldsType": {"description": "FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: \"FieldsV1\"", "type": "string"},
    "fieldsV1": {"description": "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type.", "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"}]},
    "manager": {"description": "Manager is an identifier of the workflow managing these fields.", "type": "string"},
    "operation": {"description": "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.", "type": "string"},
    "subresource": {"description": "Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.", "type": "string"},
    "time": {"description": "Time is the timestamp of when the ManagedFields entry was added.", "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}]}
  }},
"io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference": {
  "description": "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
  "type": "object",
  "required": ["apiVersion", "kind", "name", "uid"],
  "properties": {
    "apiVersion": {"description": "API version of the referent.", "type": "string", "default": ""},
    "blockOwnerDeletion": {"description": "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.", "type": "boolean"},
    "controller": {"description": "If true, this reference points to the managing controller.", "type": "boolean"},
    "kind": {"description": "Kind of the referent.", "type": "string", "default": ""},
    "name": {"description": "Name of the referent.", "type": "string", "default": ""},
    "uid": {"description": "UID of the referent.", "type": "string", "default": ""}
  },
  "x-kubernetes-map-type": "atomic"},
"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
  "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
  "type": "object",
  "properties": {
    "annotations": {"description": "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects.", "type": "object", "additionalProperties": {"type": "string", "default": ""}},
    "creationTimestamp": {"description": "CreationTimestamp is a timestamp representing the server time when this object was created. Populated by the system. Read-only.", "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}]},
    "deletionGracePeriodSeconds": {"description": "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set.", "type": "integer", "format": "int64"},
    "deletionTimestamp": {"description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Set by the server when a graceful deletion is requested by the user.", "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}]},
    "finalizers": {"description": "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.", "type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"},
    "generateName": {"description": "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.", "type": "string"},
    "generation": {"description": "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.", "type": "integer", "format": "int64"},
    "labels": {"description": "Map of string keys and values that can be used to organize and categorize (scope and select) objects.", "type": "object", "additionalProperties": {"type": "string", "default": ""}},
    "managedFields": {"description": "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.", "type": "array", "items": {"default": {}, "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry"}]}, "x-kubernetes-list-type": "atomic"},
    "name": {"description": "Name must be unique within a namespace. Cannot be updated.", "type": "string"},
    "namespace": {"description": "Namespace defines the space within which each name must be unique. Cannot be updated.", "type": "string"},
    "ownerReferences": {"description": "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.", "type": "array", "items": {"default": {}, "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"}]}, "x-kubernetes-list-map-keys": ["uid"], "x-kubernetes-list-type": "map", "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge"},
    "resourceVersion": {"description": "An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Populated by the system. Read-only.", "type": "string"},
    "selfLink": {"description": "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.", "type": "string"},
    "uid": {"description": "UID is the unique in time and space value for this object. Populated by the system. Read-only.", "type": "string"}
  }},
"io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": {
  "description": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
  "type": "object",
  "properties": {
    "continue": {"description": "continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available.", "type": "string"},
    "remainingItemCount": {"description": "remainingItemCount is the number of subsequent items in the list which are not included in this list response.", "type": "integer", "format": "int64"},
    "resourceVersion": {"description": "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed.", "type": "string"},
    "selfLink": {"description": "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.", "type": "string"}
  }},
"io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause": {
  "description": "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
  "type": "object",
  "properties": {
    "field": {"description": "The field of the resource that has caused this error, as named by its JSON serialization.", "type": "string"},
    "message": {"description": "A human-readable description of the cause of the error.", "type": "string"},
    "reason": {"description": "A machine-readable description of the cause of the error.", "type": "string"}
  }},
"io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails": {
  "description": "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
  "type": "object",
  "properties": {
    "causes": {"description": "The Causes array includes more details associated with the StatusReason failure.", "type": "array", "items": {"default": {}, "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause"}]}, "x-kubernetes-list-type": "atomic"},
    "group": {"description": "The group attribute of the resource associated with the status StatusReason.", "type": "string"},
    "kind": {"description": "The kind attribute of the resource associated with the status StatusReason.", "type": "string"},
    "name": {"description": "The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).", "type": "string"},
    "retryAfterSeconds": {"description": "If specified, the time in seconds before the operation should be retried.", "type": "integer", "format": "int32"},
    "uid": {"description": "UID of the resource.", "type": "string"}
  }},
"io.k8s.apimachinery.pkg.apis.meta.v1.Status": {
  "description": "Status is a return value for calls that don't return other objects.",
  "type": "object",
  "properties": {
    "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object.", "type": "string"},
    "code": {"description": "Suggested HTTP return code for this status, 0 if not set.", "type": "integer", "format": "int32"},
    "details": {"description": "Extended data associated with the reason.", "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails"}]},
    "kind": {"description": "Kind is a string value representing the REST resource this object represents.", "type": "string"},
    "message": {"description": "A human-readable description of the status of this operation.", "type": "string"},
    "metadata": {"description": "Standard list metadata.", "default": {}, "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"}]},
    "reason": {"description": "A machine-readable description of why this operation is in the \"Failure\" status.", "type": "string"},
    "status": {"description": "Status of the operation. One of: \"Success\" or \"Failure\".", "type": "string"}
  },
  "x-kubernetes-group-version-kind": [{"group": "", "kind": "Status", "version": "v1"}]},
"io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions": {
  "description": "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
  "type": "object",
  "properties": {
    "resourceVersion": {"description": "Specifies the target ResourceVersion", "type": "string"},
    "uid": {"description": "Specifies the target UID.", "type": "string"}
  }},
"io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": {
  "description": "DeleteOptions may be provided when deleting an API object.",
  "type": "object",
  "properties": {
    "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object.", "type": "string"},
    "dryRun": {"description": "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed", "type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "atomic"},
    "gracePeriodSeconds": {"description": "The duration in seconds before the object should be deleted.", "type": "integer", "format": "int64"},
    "kind": {"description": "Kind is a string value representing the REST resource this object represents.", "type": "string"},
    "orphanDependents": {"description": "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.", "type": "boolean"},
    "preconditions": {"description": "Must be fulfilled before a deletion is carried out.", "allOf": [{"$ref": "@/io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions"}]},
    "propagationPolicy": {"description": "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'.", "type": "string"}
  }},
"io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent": {
  "description": "Event represents a single event to a watched resource.",
  "type": "object",
  "required": ["type", "object"],
  "properties": {
    "object": {"description": "Object is: * If Type is Added or Modified: the new state of the object. * If Type is Deleted: the state of the object immediately before deletion. * If Type is Error: *Status is recommended.", "type": "object"},
    "type": {"type": "string", "default": ""}
  }}
})JSON";

void RewriteRefs(json::Value& v, const std::string& prefix, json::Allocator& a) {
  if (v.IsObject()) {
    for (auto& m : v.GetObject()) {
      if (m.name == "$ref" && m.value.IsString()) {
        std::string ref(m.value.GetString(), m.value.GetStringLength());
        if (ref.rfind("@/", 0) == 0) m.value = json::Str(prefix + ref.substr(2), a);
      } else {
        RewriteRefs(m.value, prefix, a);
      }
    }
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) RewriteRefs(e, prefix, a);
  }
}

}  // namespace

void AddMetaSchemas(json::Value& schemas, const char* ref_prefix, json::Allocator& a) {
  json::Document parsed(&a);
  parsed.Parse(kMetaSchemas);  // a literal of this file: parse errors are caught by the tests
  if (parsed.HasParseError() || !parsed.IsObject()) return;
  RewriteRefs(parsed, ref_prefix, a);
  for (auto& m : parsed.GetObject()) {
    json::Value name(m.name, a);
    schemas.AddMember(name, m.value, a);
  }
}

}  // namespace dw::schema
