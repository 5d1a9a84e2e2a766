MODEL (name seeds.codes, kind SEED (path '$root/seeds/codes.csv', csv_settings (delimiter = ';')));
