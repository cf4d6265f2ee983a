# Each cluster's entries of a subscription's grouped preview (ADR 0026):
# {"<cluster>/<object key>": <object>}; `null` values where the plan does not know them yet.
def mergepatch($patch):
  if ($patch | type) == "object" then
    reduce ($patch | to_entries[]) as $field
      (if type == "object" then . else {} end;
       if $field.value == null then del(.[$field.key])
       else .[$field.key] |= mergepatch($field.value) end)
  else $patch end;
def entry($shared; $deviation):
  if $deviation == null then $shared | fromjson?
  elif $deviation == "(absent)" then empty
  elif ($deviation | startswith("(whole) ")) then $deviation[8:] | fromjson
  elif ($deviation | startswith("{")) then ($shared | fromjson?) // {} | mergepatch($deviation | fromjson)
  else $deviation end;
def per_cluster:
  (.descriptions // {}) as $shared
  | (.deviations // {}) as $deviations
  | [ (.description_clusters // [])[] as $cluster
      | $shared | keys[] as $object
      | "\($cluster)/\($object)" as $key
      | { key: $key, value: entry($shared[$object]; $deviations[$key]) } ]
  | from_entries;
