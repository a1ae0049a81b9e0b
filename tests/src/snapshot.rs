//! Everything a store holds, row by row or item by item, so a test can show that a request
//! changed nothing. The platforms' delivery answers are left out: remembering what was answered
//! to a delivery is what every delivery may do.

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_dynamodb::types::AttributeValue;

/// The embedded store's file, read through a second connection (the store keeps its own open),
/// each table's rows in a stable order.
pub fn embedded(path: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(path).expect("the store's file opens");
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |row| row.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    let mut rows = Vec::new();
    for table in tables.iter().filter(|t| *t != "webhook_deliveries") {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .expect("select");
        let columns = statement.column_count();
        let mut found = statement.query([]).expect("rows");
        while let Some(row) = found.next().expect("row") {
            let values: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get_ref(i).expect("value")))
                .collect();
            rows.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    rows
}

/// Every item of a DynamoDB table, attributes sorted, items sorted.
pub async fn dynamodb(client: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    let mut items: Vec<String> = crate::dynamo::scan_items(client, table, None)
        .await
        .iter()
        .filter(|item| {
            !matches!(
                item.get(store_dynamodb::PARTITION_KEY),
                Some(AttributeValue::S(pk)) if pk.starts_with("DELIVERY#")
            )
        })
        .map(|item| format!("{:?}", item.iter().collect::<BTreeMap<_, _>>()))
        .collect();
    items.sort();
    items
}
