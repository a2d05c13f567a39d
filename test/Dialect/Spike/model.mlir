// RUN: sf-opt %s --split-input-file | FileCheck %s

// CHECK: module attributes {spike.model = #spike.model<timesteps = 1, encoding = direct, readout = mean>}
module attributes {spike.model = #spike.model<timesteps = 1, encoding = direct, readout = mean>} {}

// -----

// CHECK: module attributes {spike.model = #spike.model<timesteps = 8, encoding = rate, readout = sum>}
module attributes {spike.model = #spike.model<timesteps = 8, encoding = rate, readout = sum>} {}

// -----

// CHECK: module attributes {spike.model = #spike.model<timesteps = 16, encoding = spikes, readout = last>}
module attributes {spike.model = #spike.model<timesteps = 16, encoding = spikes, readout = last>} {}

// -----

// CHECK: module attributes {spike.model = #spike.model<timesteps = 100, encoding = direct, readout = all>}
module attributes {spike.model = #spike.model<timesteps = 100, encoding = direct, readout = all>} {}
