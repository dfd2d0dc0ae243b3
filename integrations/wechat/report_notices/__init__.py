"""Report-ready notices (报告出具通知): a watcher reads the hospital's feed of changed reports and
tells every account that bound the patient, exactly once per report version, by customer-service
message inside the 48-hour window or by subscription message outside it.

- `compose`: what a notice says (text, subscription-message fields);
- `feed`: what is read from the hospital, versions and critical values;
- `delivery`: the channel for one user, and sending;
- `watcher`: the polling loop, its lock and cursor;
- `wiring`: how the gateway builds all of it from its settings.
"""
