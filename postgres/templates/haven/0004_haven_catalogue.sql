-- Haven's asset catalogue: the common things in a home and the maintenance they usually need, so
-- `add_asset_from_template` can give a new asset its tasks and supplies in one call.
--
-- Where the intervals come from (the usual advice, not our guesses):
--   * smoke and CO alarms, fire extinguishers, chimneys: NFPA (NFPA 72 and the NFPA's public
--     guidance: test alarms monthly, replace smoke alarms at 10 years; NFPA 10 monthly extinguisher
--     checks; NFPA 211 yearly chimney inspection), USFA and CPSC guidance on dryer vents and
--     garage door reversing tests;
--   * septic systems, private wells and radon: the US EPA (SepticSmart: inspect every 3 years,
--     pump every 3 to 5; test well water yearly; retest radon after mitigation every 2 years);
--   * heating, cooling and water heaters: ENERGY STAR / US DOE maintenance checklists (pre-season
--     tune-ups, filter changes) and manufacturers' owner's manuals (flushing, anode rods,
--     descaling, TPR valve tests);
--   * appliances, small engines, pools and the rest: manufacturers' owner's manuals and the
--     common home-maintenance guides (filters, coils, oil, blades, sealing, gutters in spring
--     and fall).
-- Every interval is the usual default, to be edited per home: hard water, pets, heavy use or a
-- manufacturer's own schedule shorten or lengthen it. Seasonal months assume a temperate
-- northern-hemisphere climate.
--
-- A task has a `recurrence` (an interval literal), or `months` (done once a year in each listed
-- month, recurrence null), or neither (a one-off). Part numbers are generic, descriptive codes of
-- sizes and grades to shop by, never a brand's; null where only the appliance's model decides.

insert into public.asset_templates (key, name, category, description, tasks, supplies) values

-- ───────────── hvac ─────────────

('furnace', 'Furnace', 'hvac',
 'Forced-air furnace (gas, oil or electric) with a 4-inch media filter cabinet.',
 $json$[
  {"title": "Replace air filter", "description": "4-inch media filters last 6 to 12 months; 1-inch filters 1 to 3 months. Change sooner with pets, smokers or renovation dust. Match the arrow to the airflow.", "recurrence": "6 months", "months": null},
  {"title": "Pre-season heating tune-up", "description": "Professional check before the heating season: burner and flame, heat exchanger for cracks, flue draft and carbon monoxide, ignitor and flame sensor, blower, gas connections.", "recurrence": null, "months": [9]},
  {"title": "Check condensate drain and trap", "description": "High-efficiency furnaces: make sure the condensate line and trap are clear and not leaking; flush with warm water.", "recurrence": "1 year", "months": null},
  {"title": "Clear intake and exhaust vents", "description": "Keep outside intake and exhaust pipes clear of snow, ice, leaves and nests.", "recurrence": null, "months": [1, 11]}
 ]$json$,
 $json$[
  {"name": "Furnace filter 20x25x4 MERV 11", "part_number": "FLT-20254-M11", "quantity": 2, "unit": "filter", "reorder_below": 1}
 ]$json$),

('boiler', 'Boiler (hot water or steam)', 'hvac',
 'Hydronic or steam boiler feeding radiators or baseboards.',
 $json$[
  {"title": "Annual boiler service", "description": "Professional service before the heating season: burner, heat exchanger, flue, expansion tank, relief valve, circulator pump, carbon monoxide test.", "recurrence": null, "months": [9]},
  {"title": "Bleed radiators", "description": "Release trapped air with a radiator key until water runs, then top up system pressure if needed.", "recurrence": null, "months": [10]},
  {"title": "Check system pressure", "description": "A typical hot-water system reads 12 to 15 psi (about 1 to 1.5 bar) cold. Look for leaks at valves and fittings.", "recurrence": "1 month", "months": null},
  {"title": "Check pressure relief valve", "description": "Look for drips or corrosion at the relief valve and its discharge pipe; have a technician replace a leaking valve.", "recurrence": "1 year", "months": null}
 ]$json$,
 $json$[
  {"name": "Radiator bleed key", "part_number": null, "quantity": 1, "unit": "each", "reorder_below": null}
 ]$json$),

('heat_pump', 'Heat pump', 'hvac',
 'Air-source heat pump: outdoor unit and an indoor air handler.',
 $json$[
  {"title": "Check and replace air filter", "description": "Check monthly and change when dirty; 1-inch filters usually every 1 to 3 months. A clogged filter cuts efficiency and can freeze the coil.", "recurrence": "1 month", "months": null},
  {"title": "Professional service", "description": "Yearly technician visit: refrigerant charge, electrical connections, coils, reversing valve, defrost control, ducts.", "recurrence": "1 year", "months": null},
  {"title": "Clear and rinse the outdoor unit", "description": "Power off, remove leaves and debris, keep 2 ft (60 cm) of clearance, rinse the coil fins gently with a hose.", "recurrence": null, "months": [4, 10]},
  {"title": "Keep outdoor unit free of snow and ice", "description": "Clear snow from around and on top of the unit so it can defrost and breathe.", "recurrence": null, "months": [2, 12]}
 ]$json$,
 $json$[
  {"name": "Air filter 16x25x1 MERV 8", "part_number": "FLT-16251-M8", "quantity": 4, "unit": "filter", "reorder_below": 2}
 ]$json$),

('central_ac', 'Central air conditioner', 'hvac',
 'Split-system central air conditioning: outdoor condenser and indoor evaporator coil.',
 $json$[
  {"title": "Pre-season cooling tune-up", "description": "Professional check before summer: refrigerant charge, coils, capacitor and contactor, condensate drain, thermostat.", "recurrence": null, "months": [4]},
  {"title": "Replace air filter", "description": "1-inch filters every 1 to 3 months during the cooling season, sooner with pets or dust.", "recurrence": "3 months", "months": null},
  {"title": "Clean the condenser", "description": "Power off at the disconnect, clear debris, keep 2 ft (60 cm) of clearance, rinse the fins from the inside out with a gentle hose stream.", "recurrence": null, "months": [5]},
  {"title": "Flush condensate drain line", "description": "Pour a cup of white vinegar into the drain line access to keep algae from clogging it and overflowing the pan.", "recurrence": null, "months": [6, 8]}
 ]$json$,
 $json$[
  {"name": "Air filter 16x25x1 MERV 8", "part_number": "FLT-16251-M8", "quantity": 4, "unit": "filter", "reorder_below": 2}
 ]$json$),

('mini_split', 'Ductless mini-split', 'hvac',
 'Ductless heat pump or air conditioner with wall-mounted indoor heads.',
 $json$[
  {"title": "Wash indoor unit filters", "description": "Slide out the mesh filters, vacuum or rinse them, let them dry fully before refitting. Every 2 to 4 weeks in heavy use.", "recurrence": "1 month", "months": null},
  {"title": "Professional cleaning and service", "description": "Yearly: coil and blower wheel cleaning, drain line, refrigerant and electrical checks.", "recurrence": "1 year", "months": null},
  {"title": "Clear the outdoor unit", "description": "Remove leaves, weeds and snow; keep the fins clear and the unit level.", "recurrence": null, "months": [4, 10]}
 ]$json$,
 '[]'),

('hvac_humidifier', 'Whole-house humidifier', 'hvac',
 'Bypass or fan-powered humidifier mounted on the furnace ductwork.',
 $json$[
  {"title": "Replace water panel", "description": "Fit a new evaporator pad at the start of each heating season; mid-season too with hard water.", "recurrence": null, "months": [10]},
  {"title": "Clean unit and check drain and solenoid", "description": "Descale the housing and distribution tray, make sure the drain line runs freely and the water valve opens.", "recurrence": null, "months": [10]},
  {"title": "Shut down for summer", "description": "Close the water supply and the bypass damper, turn the humidistat off.", "recurrence": null, "months": [5]}
 ]$json$,
 $json$[
  {"name": "Humidifier water panel (evaporator pad)", "part_number": null, "quantity": 1, "unit": "pad", "reorder_below": 0}
 ]$json$),

('hrv_erv', 'Heat or energy recovery ventilator (HRV/ERV)', 'hvac',
 'Balanced ventilation unit that exchanges stale indoor air for fresh outdoor air.',
 $json$[
  {"title": "Clean filters", "description": "Vacuum or wash the washable filters, replace disposable ones. Every 2 to 3 months.", "recurrence": "3 months", "months": null},
  {"title": "Clean the core", "description": "Slide out the heat-exchange core and clean it as the manual says (HRV cores can be washed; most ERV cores only vacuumed).", "recurrence": "1 year", "months": null},
  {"title": "Check outdoor hoods and drain", "description": "Clear bird screens on intake and exhaust hoods of leaves, lint and snow; pour water in the condensate drain to check it flows.", "recurrence": null, "months": [11]}
 ]$json$,
 $json$[
  {"name": "HRV/ERV replacement filter", "part_number": null, "quantity": 2, "unit": "filter", "reorder_below": 0}
 ]$json$),

('ceiling_fan', 'Ceiling fans', 'hvac',
 'Ceiling fans throughout the home.',
 $json$[
  {"title": "Dust blades and check for wobble", "description": "Wipe the blades, tighten blade and mounting screws if the fan wobbles.", "recurrence": "3 months", "months": null},
  {"title": "Set direction for the season", "description": "Counter-clockwise (seen from below) in summer for a cooling breeze, clockwise at low speed in winter to push warm air down.", "recurrence": null, "months": [5, 10]}
 ]$json$,
 '[]'),

-- ───────────── plumbing ─────────────

('water_heater_tank', 'Water heater (tank)', 'plumbing',
 'Storage-tank water heater, gas or electric.',
 $json$[
  {"title": "Flush sediment from the tank", "description": "Turn off the heat source, drain a few gallons (or until clear) from the drain valve to remove sediment; more often with hard water.", "recurrence": "1 year", "months": null},
  {"title": "Test the temperature-pressure relief valve", "description": "Lift the lever briefly with a bucket under the discharge pipe; it should release water and snap shut. Replace a valve that drips afterwards.", "recurrence": "1 year", "months": null},
  {"title": "Inspect the anode rod", "description": "Pull and check the sacrificial anode; replace it when more than half is eaten away or the core wire shows. Check yearly with softened water.", "recurrence": "3 years", "months": null},
  {"title": "Check temperature, leaks and venting", "description": "Thermostat at 120 F (49 C) to prevent scalding; look for leaks and rust at fittings; on gas units check the flue draws and the burner flame is blue.", "recurrence": "6 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Anode rod, magnesium, 44 in., 3/4 in. NPT", "part_number": "ANODE-MG-44IN-075NPT", "quantity": 0, "unit": "rod", "reorder_below": null}
 ]$json$),

('water_heater_tankless', 'Water heater (tankless)', 'plumbing',
 'On-demand (tankless) water heater, gas or electric.',
 $json$[
  {"title": "Descale the heat exchanger", "description": "Close the isolation valves and circulate a descaling solution or white vinegar through the service ports with a small pump for about an hour, then flush. Every 6 months with hard water.", "recurrence": "1 year", "months": null},
  {"title": "Clean the inlet water filter screen", "description": "Close the cold isolation valve, unscrew and rinse the inlet screen.", "recurrence": "6 months", "months": null},
  {"title": "Clean the air intake filter and check venting", "description": "Gas units: rinse the intake filter, check the vent terminations outside are clear.", "recurrence": "6 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Descaling solution (or white vinegar)", "part_number": null, "quantity": 8, "unit": "l", "reorder_below": 4},
  {"name": "Service valve flush kit (pump and hoses)", "part_number": "FLUSH-KIT-TANKLESS", "quantity": 1, "unit": "kit", "reorder_below": null}
 ]$json$),

('water_softener', 'Water softener', 'plumbing',
 'Ion-exchange water softener with a brine tank.',
 $json$[
  {"title": "Check and top up salt", "description": "Keep the salt above the water level in the brine tank and break up any salt bridge with a broom handle.", "recurrence": "1 month", "months": null},
  {"title": "Clean the resin bed", "description": "Add resin cleaner to the brine well and run a manual regeneration; every 3 to 4 months with iron in the water.", "recurrence": "6 months", "months": null},
  {"title": "Clean the brine tank", "description": "Let the salt run low, scoop out sludge, wash the tank with soapy water and rinse before refilling.", "recurrence": "1 year", "months": null}
 ]$json$,
 $json$[
  {"name": "Softener salt pellets, 40 lb bag", "part_number": "SALT-PELLET-40LB", "quantity": 4, "unit": "bag", "reorder_below": 2},
  {"name": "Softener resin cleaner", "part_number": null, "quantity": 1, "unit": "bottle", "reorder_below": 0}
 ]$json$),

('water_filter_whole_house', 'Whole-house water filter', 'plumbing',
 'Point-of-entry sediment or carbon filter on the main water line.',
 $json$[
  {"title": "Replace filter cartridge", "description": "Close the valves, relieve pressure, swap the cartridge and lubricate the housing O-ring. Every 3 months, or when pressure drops.", "recurrence": "3 months", "months": null},
  {"title": "Replace housing O-ring", "description": "O-rings flatten and crack with age; replace to avoid leaks at the housing.", "recurrence": "2 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Sediment filter cartridge 4.5x20 in., 5 micron", "part_number": "CART-45X20-5UM", "quantity": 2, "unit": "cartridge", "reorder_below": 1},
  {"name": "Filter housing O-ring", "part_number": null, "quantity": 1, "unit": "each", "reorder_below": 0}
 ]$json$),

('reverse_osmosis', 'Reverse osmosis drinking water system', 'plumbing',
 'Under-sink reverse osmosis system with pre-filters, membrane and post-filter.',
 $json$[
  {"title": "Replace sediment and carbon pre-filters", "description": "Chlorine destroys the membrane, so change the pre-filters on time.", "recurrence": "6 months", "months": null},
  {"title": "Replace the post (polishing) filter", "description": "Replace the carbon post-filter and sanitise the storage tank.", "recurrence": "1 year", "months": null},
  {"title": "Replace the RO membrane", "description": "Usually every 2 to 3 years; sooner if a TDS meter shows the output rising.", "recurrence": "2 years", "months": null}
 ]$json$,
 $json$[
  {"name": "RO pre-filter set 10 in. (sediment + carbon)", "part_number": "RO-PRE-10IN-SET", "quantity": 1, "unit": "set", "reorder_below": 0},
  {"name": "RO inline post-filter", "part_number": "RO-POST-INLINE", "quantity": 1, "unit": "filter", "reorder_below": 0}
 ]$json$),

('sump_pump', 'Sump pump', 'plumbing',
 'Submersible or pedestal sump pump, with or without a battery backup.',
 $json$[
  {"title": "Test the pump", "description": "Pour a bucket of water into the pit: the float should start the pump, empty the pit and switch it off. Listen for grinding.", "recurrence": "3 months", "months": null},
  {"title": "Clean the pit and inlet screen", "description": "Unplug the pump, remove gravel and silt from the pit and the pump intake, check the check valve before the spring thaw.", "recurrence": null, "months": [3]},
  {"title": "Check the discharge line outside", "description": "Make sure the outlet is clear, drains away from the foundation and cannot freeze shut.", "recurrence": null, "months": [11]},
  {"title": "Replace the backup battery", "description": "Sealed backup batteries last about 3 to 5 years; test the backup each time you test the pump.", "recurrence": "3 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Backup battery 12 V deep-cycle", "part_number": "BAT-12V-DEEPCYCLE", "quantity": 0, "unit": "battery", "reorder_below": null}
 ]$json$),

('well_pump', 'Private well and pump', 'plumbing',
 'Private water well with a submersible or jet pump and a pressure tank.',
 $json$[
  {"title": "Test well water", "description": "Have a certified lab test for total coliform bacteria, nitrates, pH and dissolved solids every year, and after flooding or a change in taste or smell.", "recurrence": "1 year", "months": null},
  {"title": "Inspect well cap and casing", "description": "The cap must be tight and vermin-proof, the casing above ground and undamaged, no pooling water around it.", "recurrence": null, "months": [4]},
  {"title": "Check pressure tank air charge", "description": "With the pump off and the tank drained, the air pressure should be 2 psi below the pump cut-in pressure. Short cycling means a waterlogged tank.", "recurrence": "1 year", "months": null},
  {"title": "Professional well inspection", "description": "Licensed contractor: flow, pump amperage, pressure switch, tank, wiring and sanitary seal.", "recurrence": "3 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Water test kit (lab sample bottles)", "part_number": null, "quantity": 1, "unit": "kit", "reorder_below": 0}
 ]$json$),

('septic_tank', 'Septic system', 'plumbing',
 'Septic tank with a drain field (soil absorption field).',
 $json$[
  {"title": "Professional septic inspection", "description": "A septic professional inspects the tank, baffles and drain field and measures the scum and sludge layers. Systems with pumps or alarms: every year.", "recurrence": "3 years", "months": null},
  {"title": "Pump the septic tank", "description": "Typically every 3 to 5 years, when sludge and scum fill a third of the tank; the inspector advises. Keep the pumping receipt.", "recurrence": "3 years", "months": null},
  {"title": "Clean the effluent filter", "description": "If the outlet baffle has a filter, hose it off into the tank (or have it cleaned at service).", "recurrence": "1 year", "months": null},
  {"title": "Walk the drain field", "description": "Look for soggy ground, odours or lush green strips; keep cars, roots and roof downspouts off the field.", "recurrence": null, "months": [5]}
 ]$json$,
 '[]'),

('plumbing_fixtures', 'Plumbing fixtures and shut-offs', 'plumbing',
 'Faucets, toilets, supply lines and the main water shut-off.',
 $json$[
  {"title": "Exercise the main water shut-off", "description": "Close and reopen the main valve so it will turn in an emergency; make sure everyone knows where it is.", "recurrence": "1 year", "months": null},
  {"title": "Check under sinks and around toilets for leaks", "description": "Look for drips, stains and soft floors; check supply hoses for bulges.", "recurrence": "6 months", "months": null},
  {"title": "Dye-test toilet flappers", "description": "A few drops of food colouring in the tank: colour in the bowl after 15 minutes means a leaking flapper.", "recurrence": "1 year", "months": null},
  {"title": "Clean faucet aerators and shower heads", "description": "Unscrew and soak in vinegar to remove scale and debris.", "recurrence": "6 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Toilet flapper, universal 2 in.", "part_number": "FLAPPER-2IN-UNIV", "quantity": 1, "unit": "each", "reorder_below": 0}
 ]$json$),

('outdoor_faucets', 'Outdoor faucets (hose bibs)', 'plumbing',
 'Exterior hose bibs and their indoor shut-offs.',
 $json$[
  {"title": "Winterize outdoor faucets", "description": "Disconnect hoses, close the indoor shut-off and open the outside tap to drain, or fit insulated covers on frost-free bibs.", "recurrence": null, "months": [10]},
  {"title": "Turn on and check for leaks", "description": "Reopen the shut-off, run each tap and check inside the wall for leaks from a burst pipe.", "recurrence": null, "months": [4]}
 ]$json$,
 $json$[
  {"name": "Insulated faucet cover", "part_number": null, "quantity": 2, "unit": "each", "reorder_below": null}
 ]$json$),

-- ───────────── appliances ─────────────

('refrigerator', 'Refrigerator', 'appliance',
 'Refrigerator-freezer, with or without an ice maker and water dispenser.',
 $json$[
  {"title": "Clean condenser coils", "description": "Unplug, vacuum the coils under the front grille or at the back; every 6 months with pets.", "recurrence": "1 year", "months": null},
  {"title": "Replace water filter", "description": "Change the water and ice filter, then run a few litres through to flush it.", "recurrence": "6 months", "months": null},
  {"title": "Clean door gaskets and check temperatures", "description": "Wipe gaskets with warm soapy water; a dollar bill closed in the door should not slide out easily. Fridge at or below 40 F (4 C), freezer 0 F (-18 C).", "recurrence": "6 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Refrigerator water filter (fits your model)", "part_number": null, "quantity": 1, "unit": "filter", "reorder_below": 0}
 ]$json$),

('dishwasher', 'Dishwasher', 'appliance',
 'Built-in dishwasher.',
 $json$[
  {"title": "Clean the filter", "description": "Twist out the filter under the lower spray arm, rinse it and scrub with a soft brush.", "recurrence": "1 month", "months": null},
  {"title": "Run a cleaning cycle", "description": "Empty dishwasher, cleaner tablet or a cup of vinegar on the top rack, hottest cycle; removes grease and scale.", "recurrence": "1 month", "months": null},
  {"title": "Clear spray arms and check the door seal", "description": "Pick debris out of spray-arm holes, wipe the door gasket, check the drain hose loop or air gap.", "recurrence": "6 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Dishwasher cleaner tablets", "part_number": null, "quantity": 6, "unit": "tablet", "reorder_below": 2},
  {"name": "Rinse aid", "part_number": null, "quantity": 1, "unit": "bottle", "reorder_below": 0}
 ]$json$),

('washer', 'Washing machine', 'appliance',
 'Front- or top-loading clothes washer.',
 $json$[
  {"title": "Run a drum cleaning cycle", "description": "Washer cleaner or bleach on the clean-washer cycle; leave the door open afterwards to dry.", "recurrence": "1 month", "months": null},
  {"title": "Clean door gasket and detergent drawer", "description": "Front loaders: wipe inside the door boot fold, remove lint and mould; rinse the dispenser drawer.", "recurrence": "1 month", "months": null},
  {"title": "Clean the drain pump filter", "description": "With a towel and shallow tray ready, open the filter behind the bottom front panel, remove lint and coins.", "recurrence": "3 months", "months": null},
  {"title": "Inspect fill hoses", "description": "Look for bulges, cracks and rust at the fittings; keep 4 in. (10 cm) behind the machine so hoses do not kink.", "recurrence": "1 year", "months": null},
  {"title": "Replace fill hoses", "description": "Rubber fill hoses should be replaced about every 5 years; braided stainless hoses are a common upgrade.", "recurrence": "5 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Washer cleaner tablets", "part_number": null, "quantity": 3, "unit": "tablet", "reorder_below": 1},
  {"name": "Washer fill hoses, braided stainless, 4 ft (pair)", "part_number": "HOSE-WM-SS-4FT-PR", "quantity": 0, "unit": "pair", "reorder_below": null}
 ]$json$),

('dryer', 'Clothes dryer', 'appliance',
 'Vented electric or gas clothes dryer (lint screen, vent duct and outside hood).',
 $json$[
  {"title": "Clean the dryer vent duct", "description": "Disconnect and brush the duct from dryer to outside hood; lint build-up is a leading cause of dryer fires. Sooner if loads take longer to dry.", "recurrence": "1 year", "months": null},
  {"title": "Wash the lint screen and vacuum its housing", "description": "Empty the screen every load; wash it with soapy water to remove softener film and vacuum the lint trap cavity.", "recurrence": "6 months", "months": null},
  {"title": "Check the outside vent hood", "description": "With the dryer running, the flap should open freely; remove lint, nests and snow.", "recurrence": "3 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Dryer vent cleaning brush kit", "part_number": null, "quantity": 1, "unit": "kit", "reorder_below": null},
  {"name": "Semi-rigid aluminium dryer duct 4 in. x 8 ft", "part_number": "DUCT-AL-4IN-8FT", "quantity": 0, "unit": "each", "reorder_below": null}
 ]$json$),

('range_hood', 'Range hood', 'appliance',
 'Kitchen range hood, ducted or recirculating.',
 $json$[
  {"title": "Clean grease filters", "description": "Soak metal mesh or baffle filters in hot water with degreaser, or run them through the dishwasher; monthly if you fry often.", "recurrence": "3 months", "months": null},
  {"title": "Replace charcoal filter", "description": "Recirculating (ductless) hoods only: charcoal filters cannot be cleaned.", "recurrence": "6 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Range hood charcoal filter (fits your model)", "part_number": null, "quantity": 1, "unit": "filter", "reorder_below": 0}
 ]$json$),

('oven_range', 'Oven and range', 'appliance',
 'Kitchen range or cooktop with oven, gas or electric.',
 $json$[
  {"title": "Clean the oven", "description": "Self-clean cycle or oven cleaner; wipe spills before they carbonise.", "recurrence": "3 months", "months": null},
  {"title": "Check burners and door seal", "description": "Gas: flames should be blue and even; clean clogged ports. Check the oven door gasket and that the anti-tip bracket is engaged.", "recurrence": "1 year", "months": null}
 ]$json$,
 '[]'),

('garbage_disposal', 'Garbage disposal', 'appliance',
 'Under-sink food waste disposer.',
 $json$[
  {"title": "Clean and deodorise", "description": "Grind a cup of ice with a little coarse salt, scrub the splash guard, then grind citrus peel with cold water running.", "recurrence": "1 month", "months": null},
  {"title": "Check for leaks and loose mounting", "description": "Look under the sink at the sink flange, dishwasher inlet and drain connection.", "recurrence": "1 year", "months": null}
 ]$json$,
 '[]'),

('dehumidifier', 'Dehumidifier', 'appliance',
 'Portable or basement dehumidifier.',
 $json$[
  {"title": "Clean the air filter", "description": "Rinse or vacuum the filter; every 2 weeks in heavy use.", "recurrence": "1 month", "months": null},
  {"title": "Clean the bucket and check the drain hose", "description": "Wash the bucket with mild soap to prevent mould; make sure a continuous drain hose runs downhill and is not kinked.", "recurrence": "1 month", "months": null},
  {"title": "Clean coils and store or set for the season", "description": "Unplug, vacuum dust from the coils. Keep relative humidity between 30 and 50 percent.", "recurrence": "1 year", "months": null}
 ]$json$,
 '[]'),

('bathroom_exhaust_fan', 'Bathroom exhaust fans', 'appliance',
 'Ceiling exhaust fans in bathrooms and laundry.',
 $json$[
  {"title": "Clean grille and fan", "description": "Power off, remove the grille, wash it and vacuum dust from the fan blades and housing.", "recurrence": "6 months", "months": null},
  {"title": "Check the fan vents outside", "description": "Hold a tissue to the grille: it should pull. Make sure the outside damper opens and the duct is not disconnected in the attic.", "recurrence": "1 year", "months": null}
 ]$json$,
 '[]'),

-- ───────────── safety ─────────────

('smoke_detectors', 'Smoke alarms', 'safety',
 'Smoke alarms on every level, outside sleeping areas and in each bedroom.',
 $json$[
  {"title": "Test smoke alarms", "description": "Press the test button on each alarm until it sounds; interconnected alarms should all sound.", "recurrence": "1 month", "months": null},
  {"title": "Replace batteries", "description": "Replaceable-battery alarms: new batteries at least once a year, or at once when an alarm chirps. Sealed 10-year alarms need none.", "recurrence": "1 year", "months": null},
  {"title": "Vacuum alarm vents", "description": "Dust in the sensing chamber causes false alarms; vacuum gently with a brush attachment.", "recurrence": "1 year", "months": null},
  {"title": "Replace smoke alarms", "description": "Replace every alarm 10 years after its manufacture date (printed on the back).", "recurrence": "10 years", "months": null}
 ]$json$,
 $json$[
  {"name": "9 V alkaline battery", "part_number": "BAT-9V-ALK", "quantity": 6, "unit": "battery", "reorder_below": 2}
 ]$json$),

('co_detectors', 'Carbon monoxide alarms', 'safety',
 'Carbon monoxide alarms outside sleeping areas and on every level with fuel-burning appliances.',
 $json$[
  {"title": "Test CO alarms", "description": "Press the test button on each alarm.", "recurrence": "1 month", "months": null},
  {"title": "Replace batteries", "description": "Replaceable-battery alarms: once a year or when the low-battery chirp sounds.", "recurrence": "1 year", "months": null},
  {"title": "Replace CO alarms", "description": "Sensors wear out: most alarms last 5 to 7 years (some 10); replace by the date on the label or at the end-of-life signal.", "recurrence": "7 years", "months": null}
 ]$json$,
 $json$[
  {"name": "AA alkaline battery", "part_number": "BAT-AA-ALK", "quantity": 8, "unit": "battery", "reorder_below": 4}
 ]$json$),

('fire_extinguisher', 'Fire extinguishers', 'safety',
 'Portable ABC fire extinguishers (kitchen, garage, each level).',
 $json$[
  {"title": "Inspect extinguishers", "description": "Gauge in the green, pin and tamper seal in place, hose clear, no dents or rust, easy to reach. Turn dry-chemical units upside down and shake so the powder does not pack.", "recurrence": "1 month", "months": null},
  {"title": "Replace disposable extinguishers", "description": "Non-rechargeable extinguishers are replaced 12 years after manufacture, or at once after any use or a low gauge.", "recurrence": "12 years", "months": null}
 ]$json$,
 '[]'),

('radon_mitigation', 'Radon mitigation system', 'safety',
 'Sub-slab depressurisation system: vent pipe, fan and pressure gauge.',
 $json$[
  {"title": "Check the system gauge", "description": "The U-tube manometer liquid levels should be uneven (the fan is pulling); level means the fan has stopped.", "recurrence": "1 month", "months": null},
  {"title": "Retest radon levels", "description": "Retest with a short-term kit every 2 years, and after renovations, with the system running; act at 4 pCi/L (148 Bq/m3).", "recurrence": "2 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Short-term radon test kit", "part_number": null, "quantity": 1, "unit": "kit", "reorder_below": 0}
 ]$json$),

-- ───────────── electrical ─────────────

('electrical_panel', 'Electrical panel', 'electrical',
 'Main service panel with breakers, including AFCI and GFCI breakers.',
 $json$[
  {"title": "Test AFCI and GFCI breakers", "description": "Press each breaker test button: it should trip; reset it. A breaker that does not trip needs replacing.", "recurrence": "1 month", "months": null},
  {"title": "Inspect the panel and label circuits", "description": "Look for warm breakers, scorch marks, corrosion or a buzzing sound (call an electrician); keep the circuit directory up to date.", "recurrence": "1 year", "months": null},
  {"title": "Professional electrical inspection", "description": "Licensed electrician inspection about every 10 years, and when buying a home or adding large loads.", "recurrence": "10 years", "months": null}
 ]$json$,
 '[]'),

('gfci_outlets', 'GFCI outlets', 'electrical',
 'Ground-fault outlets in kitchens, bathrooms, garage and outdoors.',
 $json$[
  {"title": "Test GFCI outlets", "description": "Press TEST (power should cut off, check with a lamp or tester), then RESET. Replace outlets that do not trip.", "recurrence": "1 month", "months": null}
 ]$json$,
 '[]'),

('generator', 'Generator', 'electrical',
 'Standby or portable generator.',
 $json$[
  {"title": "Run the generator under load", "description": "Run it for about 20 to 30 minutes with a load so the engine lubricates and the battery charges; standby units usually exercise themselves weekly, check they did.", "recurrence": "1 month", "months": null},
  {"title": "Change oil and oil filter", "description": "Once a year or per the running hours in the manual (often every 100 to 200 hours); after the first 25 hours when new.", "recurrence": "1 year", "months": null},
  {"title": "Replace air filter and spark plugs", "description": "And check the battery, coolant and transfer switch at the same service.", "recurrence": "2 years", "months": null},
  {"title": "Treat or refresh the fuel", "description": "Portable units: add fuel stabiliser, or run the carburettor dry for storage; replace fuel older than a few months.", "recurrence": "6 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Engine oil SAE 5W-30, 1 qt", "part_number": "OIL-5W30-1QT", "quantity": 2, "unit": "quart", "reorder_below": 1},
  {"name": "Fuel stabiliser", "part_number": null, "quantity": 1, "unit": "bottle", "reorder_below": 0},
  {"name": "Generator oil filter (fits your model)", "part_number": null, "quantity": 1, "unit": "filter", "reorder_below": 0}
 ]$json$),

('solar_panels', 'Solar panels', 'electrical',
 'Rooftop or ground-mounted photovoltaic system with inverter.',
 $json$[
  {"title": "Check production in the monitoring app", "description": "Compare output with the same month last year; a sudden drop means shading, soiling or an inverter fault.", "recurrence": "1 month", "months": null},
  {"title": "Inspect and clean panels", "description": "From the ground: look for debris, bird nests, cracked glass; rinse with a hose where the installer allows, never pressure-wash.", "recurrence": "1 year", "months": null},
  {"title": "Professional system inspection", "description": "Installer check of wiring, mounts, roof penetrations and inverter.", "recurrence": "5 years", "months": null}
 ]$json$,
 '[]'),

-- ───────────── exterior ─────────────

('roof', 'Roof', 'exterior',
 'Pitched or flat roof with its flashing, vents and penetrations.',
 $json$[
  {"title": "Inspect the roof after winter", "description": "From the ground with binoculars or by a roofer: missing, curled or cracked shingles, loose flashing, vent boots, sealant, moss. Also after major storms.", "recurrence": null, "months": [4]},
  {"title": "Inspect the roof before winter", "description": "Repeat the check before cold weather: flashing, chimney and vent seals, debris in valleys.", "recurrence": null, "months": [10]},
  {"title": "Check the attic for leaks and ventilation", "description": "Look for stains, damp insulation, daylight around penetrations, blocked soffit vents.", "recurrence": "1 year", "months": null}
 ]$json$,
 $json$[
  {"name": "Roof sealant, 10 oz cartridge", "part_number": "SEAL-ROOF-10OZ", "quantity": 1, "unit": "tube", "reorder_below": 0}
 ]$json$),

('gutters', 'Gutters and downspouts', 'exterior',
 'Roof gutters, downspouts and their extensions.',
 $json$[
  {"title": "Clean gutters and downspouts", "description": "Remove leaves and debris, flush downspouts with a hose; spring and late fall after the leaves drop, more often under trees.", "recurrence": null, "months": [4, 11]},
  {"title": "Check gutter hangers, seams and drainage", "description": "Tighten loose hangers, seal leaking seams, make sure downspouts discharge 4 to 6 ft (1.2 to 1.8 m) from the foundation.", "recurrence": "1 year", "months": null}
 ]$json$,
 $json$[
  {"name": "Gutter seam sealant, 10 oz cartridge", "part_number": "SEAL-GUTTER-10OZ", "quantity": 1, "unit": "tube", "reorder_below": 0}
 ]$json$),

('chimney_fireplace', 'Chimney and fireplace', 'exterior',
 'Wood-burning or gas fireplace, or wood stove, with its chimney.',
 $json$[
  {"title": "Chimney inspection and sweep", "description": "A certified chimney sweep inspects the chimney, flue liner and connections every year and sweeps when creosote has built up (about 1/8 in., 3 mm).", "recurrence": null, "months": [9]},
  {"title": "Check chimney cap, crown and damper", "description": "Cap and spark arrestor in place, no cracks in the crown, damper opens and closes fully.", "recurrence": null, "months": [4]}
 ]$json$,
 '[]'),

('window_door_seals', 'Window and door seals', 'exterior',
 'Weatherstripping, caulking and thresholds of windows and exterior doors.',
 $json$[
  {"title": "Inspect and replace weatherstripping", "description": "Feel for drafts, close a sheet of paper in each door and window: if it slides out freely, the seal needs replacing.", "recurrence": null, "months": [10]},
  {"title": "Inspect and renew exterior caulk", "description": "Replace cracked or shrunk caulk around window and door frames and trim.", "recurrence": "1 year", "months": null},
  {"title": "Clean tracks and weep holes", "description": "Vacuum sliding door and window tracks; clear the weep holes so rain drains out.", "recurrence": null, "months": [4]}
 ]$json$,
 $json$[
  {"name": "Exterior silicone caulk, 10 oz cartridge", "part_number": "CAULK-SIL-EXT-10OZ", "quantity": 2, "unit": "tube", "reorder_below": 1},
  {"name": "Foam weatherstrip tape 3/8 in. x 17 ft", "part_number": "WSTRIP-FOAM-038-17FT", "quantity": 2, "unit": "roll", "reorder_below": 1}
 ]$json$),

('siding_exterior_paint', 'Siding and exterior paint', 'exterior',
 'Exterior walls: siding, trim and paint.',
 $json$[
  {"title": "Inspect siding and trim", "description": "Look for cracks, peeling paint, rot, gaps and pest damage; keep soil and plants 6 in. (15 cm) away.", "recurrence": "1 year", "months": null},
  {"title": "Wash the siding", "description": "Low-pressure wash with a soft brush to remove dirt and mildew.", "recurrence": "1 year", "months": null},
  {"title": "Repaint or restain", "description": "Painted wood typically needs repainting every 5 to 10 years depending on exposure.", "recurrence": "7 years", "months": null}
 ]$json$,
 '[]'),

('foundation_drainage', 'Foundation and grading', 'exterior',
 'Foundation walls, basement or crawlspace, and the grading around the house.',
 $json$[
  {"title": "Inspect foundation and grading", "description": "Look for new or widening cracks, damp spots, efflorescence; the soil should slope away from the house for the first 6 to 10 ft.", "recurrence": null, "months": [4]},
  {"title": "Check the basement or crawlspace after heavy rain", "description": "Look for water, musty smells and condensation on pipes.", "recurrence": null, "months": [5]}
 ]$json$,
 '[]'),

('deck', 'Deck', 'exterior',
 'Wood or composite deck with railings and stairs.',
 $json$[
  {"title": "Clean and inspect the deck", "description": "Sweep and wash; probe for soft or rotten boards, tighten popped nails and screws, check railings, stairs and the ledger board connection to the house.", "recurrence": null, "months": [5]},
  {"title": "Reseal or restain the deck", "description": "Wood decks every 2 to 3 years (sooner when water stops beading); composite decks do not need it.", "recurrence": "2 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Deck stain and sealer", "part_number": null, "quantity": 0, "unit": "gal", "reorder_below": null},
  {"name": "Exterior deck screws 3 in. (1 lb)", "part_number": "SCREW-DECK-3IN-1LB", "quantity": 1, "unit": "box", "reorder_below": 0}
 ]$json$),

('driveway', 'Driveway', 'exterior',
 'Asphalt or concrete driveway and walkways.',
 $json$[
  {"title": "Fill cracks", "description": "Clean out and fill cracks before winter so water cannot freeze in them and widen them.", "recurrence": null, "months": [9]},
  {"title": "Seal the driveway", "description": "Asphalt: sealcoat every 2 to 3 years. Concrete: penetrating sealer every 2 to 5 years.", "recurrence": "3 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Driveway crack filler", "part_number": null, "quantity": 1, "unit": "bottle", "reorder_below": 0}
 ]$json$),

('garage_door', 'Garage door and opener', 'exterior',
 'Overhead garage door with springs, tracks and an automatic opener.',
 $json$[
  {"title": "Test the auto-reverse and photo-eyes", "description": "Close the door on a 2x4 board laid flat: it must reverse on contact. Wave an object through the photo-eye beam while closing: it must reverse.", "recurrence": "1 month", "months": null},
  {"title": "Lubricate moving parts", "description": "Garage door lubricant on rollers, hinges, springs, bearings and the opener chain or screw; not on the tracks.", "recurrence": "6 months", "months": null},
  {"title": "Inspect springs, cables and weatherseal", "description": "Look for frayed cables, gaps in the springs and a torn bottom seal. Spring and cable repairs are for a professional.", "recurrence": "1 year", "months": null},
  {"title": "Replace remote and keypad batteries", "description": "Before they fail on a cold day.", "recurrence": "2 years", "months": null}
 ]$json$,
 $json$[
  {"name": "Garage door lubricant spray (lithium or silicone)", "part_number": null, "quantity": 1, "unit": "can", "reorder_below": 0},
  {"name": "CR2032 coin battery", "part_number": "BAT-CR2032", "quantity": 2, "unit": "battery", "reorder_below": 0}
 ]$json$),

-- ───────────── outdoor ─────────────

('lawn_mower', 'Lawn mower', 'outdoor',
 'Gasoline walk-behind or riding lawn mower.',
 $json$[
  {"title": "Change the oil", "description": "Once a season or every 50 hours, whichever comes first; with the engine warm.", "recurrence": null, "months": [4]},
  {"title": "Sharpen or replace the blade", "description": "Disconnect the spark plug wire first. A dull blade tears grass; sharpen again mid-season if you mow often or hit stones.", "recurrence": null, "months": [4]},
  {"title": "Replace spark plug and air filter", "description": "Once a season, or the air filter more often in dusty conditions.", "recurrence": null, "months": [4]},
  {"title": "Prepare for winter storage", "description": "Add stabiliser and run it, or run the tank dry; clean grass from under the deck.", "recurrence": null, "months": [10]}
 ]$json$,
 $json$[
  {"name": "Small engine oil SAE 30, 20 oz", "part_number": "OIL-SAE30-20OZ", "quantity": 1, "unit": "bottle", "reorder_below": 0},
  {"name": "Mower spark plug (fits your engine)", "part_number": null, "quantity": 1, "unit": "each", "reorder_below": 0},
  {"name": "Mower air filter (fits your engine)", "part_number": null, "quantity": 1, "unit": "filter", "reorder_below": 0},
  {"name": "Fuel stabiliser", "part_number": null, "quantity": 1, "unit": "bottle", "reorder_below": 0}
 ]$json$),

('snow_blower', 'Snow blower', 'outdoor',
 'Single- or two-stage gasoline snow thrower.',
 $json$[
  {"title": "Pre-season service", "description": "Change the oil, check the spark plug, shear pins, belts, skid shoes and scraper bar; test-start before the first snow.", "recurrence": null, "months": [10]},
  {"title": "Prepare for summer storage", "description": "Add stabiliser and run it, or run the tank dry; clean and touch up rust on the auger housing.", "recurrence": null, "months": [4]}
 ]$json$,
 $json$[
  {"name": "Auger shear pins and cotter pins (fits your model)", "part_number": null, "quantity": 4, "unit": "pin", "reorder_below": 2},
  {"name": "Engine oil SAE 5W-30, 1 qt", "part_number": "OIL-5W30-1QT", "quantity": 1, "unit": "quart", "reorder_below": 0}
 ]$json$),

('irrigation', 'Irrigation system', 'outdoor',
 'In-ground sprinkler or drip irrigation system with a controller.',
 $json$[
  {"title": "Spring start-up", "description": "Open the main valve slowly, run each zone, fix broken heads and leaks, set the controller schedule.", "recurrence": null, "months": [4]},
  {"title": "Check heads and coverage", "description": "Run each zone: straighten tilted heads, clear clogged nozzles, stop spray hitting the house or pavement.", "recurrence": null, "months": [6, 8]},
  {"title": "Winterize the system", "description": "Shut off the supply and drain or blow out the lines with compressed air before the first hard frost.", "recurrence": null, "months": [10]},
  {"title": "Test the backflow preventer", "description": "Many water utilities require a certified tester every year.", "recurrence": "1 year", "months": null}
 ]$json$,
 $json$[
  {"name": "Pop-up spray head 4 in.", "part_number": "SPRINKLER-POPUP-4IN", "quantity": 2, "unit": "each", "reorder_below": 1},
  {"name": "Controller backup battery 9 V", "part_number": "BAT-9V-ALK", "quantity": 1, "unit": "battery", "reorder_below": 0}
 ]$json$),

('pool', 'Swimming pool', 'outdoor',
 'Outdoor swimming pool with pump and filter.',
 $json$[
  {"title": "Test and balance the water", "description": "Free chlorine 1 to 3 ppm, pH 7.2 to 7.8; test at least weekly in season, more after heavy use or rain.", "recurrence": "7 days", "months": null},
  {"title": "Empty skimmer and pump baskets", "description": "Clear the baskets so the pump keeps full flow.", "recurrence": "7 days", "months": null},
  {"title": "Clean or backwash the filter", "description": "When the filter pressure rises 8 to 10 psi above clean: backwash sand or DE, hose off cartridges.", "recurrence": "1 month", "months": null},
  {"title": "Open the pool", "description": "Remove the cover, reconnect equipment, fill, shock and balance.", "recurrence": null, "months": [5]},
  {"title": "Close the pool for winter", "description": "Balance, lower the water, blow out lines, add winterizing chemicals, cover.", "recurrence": null, "months": [9]}
 ]$json$,
 $json$[
  {"name": "Chlorine tablets 3 in., 10 lb", "part_number": "CL-TAB-3IN-10LB", "quantity": 1, "unit": "bucket", "reorder_below": 0},
  {"name": "Pool test strips (chlorine, pH, alkalinity)", "part_number": null, "quantity": 50, "unit": "strip", "reorder_below": 10},
  {"name": "Pool shock (calcium hypochlorite), 1 lb", "part_number": "SHOCK-CALHYPO-1LB", "quantity": 4, "unit": "bag", "reorder_below": 2}
 ]$json$),

('hot_tub', 'Hot tub', 'outdoor',
 'Outdoor spa or hot tub.',
 $json$[
  {"title": "Test and balance the water", "description": "Sanitiser and pH 2 to 3 times a week; shock weekly after use.", "recurrence": "7 days", "months": null},
  {"title": "Rinse the filter cartridge", "description": "Hose off the cartridge; soak it in filter cleaner every few months and replace yearly.", "recurrence": "14 days", "months": null},
  {"title": "Drain, clean and refill", "description": "Every 3 to 4 months depending on use; flush the plumbing lines before draining.", "recurrence": "3 months", "months": null}
 ]$json$,
 $json$[
  {"name": "Spa filter cartridge (fits your model)", "part_number": null, "quantity": 1, "unit": "filter", "reorder_below": 0},
  {"name": "Spa test strips", "part_number": null, "quantity": 50, "unit": "strip", "reorder_below": 10}
 ]$json$),

('outdoor_grill', 'Outdoor gas grill', 'outdoor',
 'Propane or natural-gas barbecue grill.',
 $json$[
  {"title": "Leak-test the gas connections", "description": "Brush soapy water on the hose and connections with the valve open: bubbles mean a leak. At the start of the season and after changing a tank.", "recurrence": null, "months": [4]},
  {"title": "Deep-clean grates, burners and grease tray", "description": "Burn off, brush grates, clear burner ports, empty and clean the grease tray to prevent grease fires.", "recurrence": "3 months", "months": null}
 ]$json$,
 '[]'),

('trees_landscaping', 'Trees and landscaping', 'outdoor',
 'Trees, shrubs and beds around the house.',
 $json$[
  {"title": "Trim branches away from the house", "description": "Keep branches 6 to 10 ft (2 to 3 m) from the roof and walls and clear of power lines (call the utility for those).", "recurrence": null, "months": [3]},
  {"title": "Check trees after storms and before winter", "description": "Look for dead limbs, cracks and leaning trunks; have an arborist remove hazards.", "recurrence": null, "months": [10]}
 ]$json$,
 '[]')

on conflict (key) do nothing;
