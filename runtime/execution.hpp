// Everything in proa::execution (properties, execute, executor concepts) plus the property
// customisation points proa::require, proa::prefer and proa::query.
#pragma once

#include "runtime/execution/allocator.hpp"
#include "runtime/execution/bad_executor.hpp"
#include "runtime/execution/blocking.hpp"
#include "runtime/execution/context.hpp"
#include "runtime/execution/execute.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution/outstanding_work.hpp"
#include "runtime/execution/prefer.hpp"
#include "runtime/execution/query.hpp"
#include "runtime/execution/relationship.hpp"
#include "runtime/execution/require.hpp"
